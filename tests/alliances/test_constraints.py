"""The model and the database reject bad records clearly, and stored records stay as they were."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alliances.models import Alliance, Country, Treaty
from milidip.records import Status
from tests.factories import AllianceFactory, CountryFactory, TreatyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["ABC", "kor", "KO", "K0R", "KORE"])
def test_an_unknown_or_malformed_country_code_is_rejected(code):
    country = Country(code=code, name="Nowhere")
    with pytest.raises(ValidationError) as error:
        country.full_clean()
    assert any(repr(code) in message for message in error.value.message_dict["code"])


@pytest.mark.parametrize("code", ["KOR", "SUN", "YUG", "XKX"])
def test_current_historical_and_user_assigned_codes_are_accepted(code):
    Country(code=code, name="Somewhere").full_clean(validate_unique=False)


def test_the_database_refuses_a_lower_case_code():
    with pytest.raises(IntegrityError, match="country_code_three_capitals"), transaction.atomic():
        Country.objects.create(code="kor", name="South Korea")


def test_a_duplicate_slug_is_refused_and_the_stored_record_is_unchanged():
    stored = AllianceFactory(slug="pact", name="The original pact")
    duplicate = Alliance(slug="pact", name="An impostor", kind=Alliance.Kind.DEFENCE_PACT)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "slug" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()
    stored.refresh_from_db()
    assert stored.name == "The original pact"
    assert Alliance.objects.filter(slug="pact").count() == 1


def test_a_duplicate_country_code_is_refused():
    CountryFactory(code="NZL")
    with pytest.raises(ValidationError, match="already exists"):
        Country(code="NZL", name="Aotearoa").full_clean()


def test_an_end_before_the_start_is_a_clear_validation_error():
    treaty = Treaty(
        slug="backwards", name="Backwards", kind=Treaty.Kind.SECURITY, signed="1960", ended="1953"
    )
    with pytest.raises(ValidationError) as error:
        treaty.full_clean()
    assert error.value.message_dict["ended"] == ["1953 is before the signed date (1960)."]


def test_a_failed_update_leaves_the_stored_treaty_untouched():
    treaty = TreatyFactory(signed="1953-10-01", in_force="1954-11-17")
    treaty.in_force = "1950"
    with (
        pytest.raises(IntegrityError, match="treaty_in_force_not_before_signed"),
        transaction.atomic(),
    ):
        treaty.save()
    treaty.refresh_from_db()
    assert treaty.in_force == "1954-11-17"


def test_an_impossible_date_is_rejected_on_the_field():
    treaty = Treaty(
        slug="feb30", name="February 30", kind=Treaty.Kind.SECURITY, signed="1953-02-30"
    )
    with pytest.raises(ValidationError) as error:
        treaty.full_clean()
    assert "signed" in error.value.message_dict


def test_a_retraction_needs_a_reason():
    alliance = AllianceFactory()
    alliance.status = Status.RETRACTED
    with pytest.raises(IntegrityError, match="retraction_has_reason"), transaction.atomic():
        alliance.save()
    alliance.retraction_reason = "Not an alliance: the source describes a one-off visit."
    alliance.save()
