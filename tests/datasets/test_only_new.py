"""`import_dataset --only-new`, what `make run` calls on every start: each dataset once."""

import pytest

from alliances.models import Country
from milidip.sources.models import Source

pytestmark = pytest.mark.django_db


def test_only_new_imports_a_dataset_the_first_time_and_never_again(import_dataset, stored):
    first = import_dataset("cow-states", only_new=True)
    assert "cow-states: done in" in first.out
    assert Source.objects.filter(slug__startswith="cow-", kind="dataset").count() == 2
    kor = Country.objects.get(code="KOR")
    kor.name = "Republic of Korea (curated)"
    kor.save()
    before = stored()
    again = import_dataset("cow-states", only_new=True)
    assert again.out.strip() == "Every dataset was imported before; nothing to do."
    assert stored() == before
    assert Country.objects.get(code="KOR").name == "Republic of Korea (curated)"


def test_only_new_imports_a_dataset_whose_source_is_missing(import_dataset):
    import_dataset("cow-states", only_new=True)
    Source.objects.filter(slug="cow-state-system-membership-v2016").update(slug="renamed")
    again = import_dataset("cow-states", only_new=True)
    assert "cow-states: done in" in again.out
    assert Source.objects.filter(slug="cow-state-system-membership-v2016").exists()
