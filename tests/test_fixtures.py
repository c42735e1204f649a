"""The curated records: all cited verbatim, all valid, all linked, loadable on an empty database."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from alliances.models import Alliance, Country, Membership, Treaty
from milidip.datasets.management.commands.load_records import fixture_files
from milidip.records import Status
from milidip.sources.models import Source
from milidip.sources.provenance import citation_models, provenance_problems
from missions.models import Challenge, Exercise, Mission

pytestmark = pytest.mark.django_db

RECORD_MODELS = [Country, Alliance, Treaty, Exercise, Mission, Challenge]


def record_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_there_are_well_over_fifty_records_and_every_kind_is_represented():
    counts = {model.__name__: model.objects.count() for model in RECORD_MODELS}
    assert all(counts.values()), counts
    assert sum(counts.values()) > 50, counts


def test_every_record_cites_an_article_and_every_quote_is_verbatim():
    assert list(provenance_problems()) == []


def test_check_provenance_reports_a_quote_that_is_not_verbatim():
    citation = Treaty.objects.get(slug="rok-us-mutual-defense-treaty").citations.first()
    type(citation).objects.filter(pk=citation.pk).update(quote=citation.quote + " (paraphrased)")
    problems = list(provenance_problems())
    assert len(problems) == 1
    assert "rok-us-mutual-defense-treaty" in problems[0]
    assert "not found verbatim" in problems[0]


def test_check_provenance_reports_a_record_without_citation():
    Country.objects.get(code="HTI").citations.all().delete()
    assert list(provenance_problems()) == ["alliances.country HTI: no citation"]


def test_every_record_and_link_passes_model_validation():
    for app_label in ("alliances", "missions", "sources"):
        for model in apps.get_app_config(app_label).get_models():
            if model._meta.model_name.startswith("historical"):
                continue
            for record in model.objects.all():
                record.full_clean()


def test_every_curated_record_is_published():
    for model in RECORD_MODELS:
        assert not model.objects.exclude(status=Status.PUBLISHED).exists(), model


def test_every_citation_model_is_checked():
    assert {model._meta.get_field("record").related_model for model in citation_models()} == set(
        RECORD_MODELS
    )


def test_the_1953_treaty_links_both_parties_and_founds_the_alliance():
    treaty = Treaty.objects.get(slug="rok-us-mutual-defense-treaty")
    assert treaty.signed == "1953"
    assert set(treaty.parties.values_list("code", flat=True)) == {"KOR", "USA"}
    assert treaty.alliance.slug == "rok-us-alliance"


def test_south_korea_is_a_nato_partner():
    membership = Membership.objects.get(alliance__slug="nato", country__code="KOR")
    assert membership.role == Membership.Role.PARTNER


def test_missions_link_organisations_hosts_and_contributors():
    lebanon = Mission.objects.get(slug="rok-peacekeeping-lebanon")
    assert lebanon.organisation.slug == "united-nations"
    assert list(lebanon.hosts.values_list("code", flat=True)) == ["LBN"]
    assert list(lebanon.contributors.values_list("code", flat=True)) == ["KOR"]
    presence = Mission.objects.get(slug="us-military-presence-south-korea")
    assert presence.contributions.get(country__code="USA").personnel == 28500


def test_every_challenge_concerns_something():
    unlinked = Challenge.objects.filter(
        countries__isnull=True,
        alliances__isnull=True,
        treaties__isnull=True,
        missions__isnull=True,
        exercises__isnull=True,
    )
    assert not unlinked.exists()


def test_loading_the_fixtures_again_changes_nothing():
    before = record_counts()
    call_command("loaddata", *fixture_files(), verbosity=0)
    assert record_counts() == before


def test_load_records_leaves_curated_edits_alone():
    Country.objects.filter(code="KOR").update(name="Republic of Korea (curated)")
    out = StringIO()
    call_command("load_records", stdout=out)
    assert "already loaded" in out.getvalue()
    assert Country.objects.get(code="KOR").name == "Republic of Korea (curated)"


def test_load_records_fills_an_empty_database():
    for model in reversed(RECORD_MODELS):
        model.objects.all().delete()
    Source.objects.all().delete()
    call_command("load_records", stdout=StringIO())
    assert Country.objects.filter(code="KOR").exists()
    assert list(provenance_problems()) == []
