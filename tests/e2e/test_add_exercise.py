"""A curator adds an exercise in the admin, with participants and a verbatim citation."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from missions.models import Exercise, ExerciseCitation, ExerciseParticipant

pytestmark = pytest.mark.django_db(transaction=True)

ARTICLE = "us-south-korea-military-alliance"
ARTICLE_TITLE = "The US and South Korea Military Alliance"
QUOTE = (
    "These exercises have evolved from small-scale drills to large-scale, complex military "
    "simulations."
)
NOT_IN_ARTICLE = (
    "These exercises have evolved from small-scale drills to large-scale lunar landings "
    "with the help of friendly dolphins."
)


def pick_autocomplete(page, field, term, option):
    """Choose `option` in the admin's autocomplete (select2) widget inside `field`."""
    field.locator(".select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(term)
    page.locator(".select2-container--open .select2-results__option", has_text=option).click()
    expect(field.locator(".select2-selection")).to_contain_text(option)


def fill_exercise(page, name, slug, quote):
    page.goto("/admin/missions/exercise/add/")
    page.fill("#id_name", name)
    # Leaving the name fills the slug from it (prepopulated_fields); the curator then sets it.
    page.press("#id_name", "Tab")
    page.fill("#id_slug", slug)
    expect(page.locator("#id_slug")).to_have_value(slug)
    page.select_option("#id_kind", "exercise")
    participants = page.locator("#exercise_participants-group")
    for number, (term, country) in enumerate(
        [("Korea", "South Korea (KOR)"), ("United States", "United States (USA)")]
    ):
        participants.locator(".add-row a").click()
        row = page.locator(f"#exercise_participants-{number}")
        pick_autocomplete(page, row.locator(".field-country"), term, country)
    citation = page.locator("#citations-0")
    pick_autocomplete(page, citation.locator(".field-source"), "South Korea", ARTICLE_TITLE)
    page.fill("#id_citations-0-quote", quote)
    page.click("input[name=_save]")


def snapshot():
    """What the exercise tables hold, to show that a refused save changed nothing."""
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (
            Exercise,
            ExerciseParticipant,
            ExerciseCitation,
            Exercise.history.model,
            ExerciseParticipant.history.model,
            ExerciseCitation.history.model,
        )
    }


def test_curator_adds_exercise_with_participants_and_citation(open_admin):
    # The quote is taken from the article file itself, so it is verbatim by construction.
    article_text = (settings.SEEDS_DIR / "004_fe5bedd0165c028e.txt").read_text(encoding="utf-8")
    assert QUOTE in article_text
    assert NOT_IN_ARTICLE not in article_text
    page = open_admin("curator")

    fill_exercise(page, "Combined Harbour Drill 2031", "combined-harbour-drill-2031", QUOTE)

    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    exercise = Exercise.objects.get(slug="combined-harbour-drill-2031")
    assert exercise.name == "Combined Harbour Drill 2031"
    assert exercise.kind == Exercise.Kind.EXERCISE
    assert exercise.status == "draft"
    assert sorted(exercise.participants.values_list("code", flat=True)) == ["KOR", "USA"]
    assert list(exercise.citations.values_list("source__slug", "quote")) == [(ARTICLE, QUOTE)]
    assert exercise.history.first().history_user == page.user

    # A quote that is not in the article: the form says so on the quote, and nothing is saved.
    before = snapshot()
    fill_exercise(
        page, "Combined Harbour Drill 2032", "combined-harbour-drill-2032", NOT_IN_ARTICLE
    )

    expect(page.locator(".errornote")).to_be_visible()
    expect(page.locator("#citations-0 .field-quote .errorlist")).to_contain_text(
        "not found verbatim"
    )
    # The form comes back with what the curator entered, ready to fix.
    expect(page.locator("#id_citations-0-quote")).to_have_value(NOT_IN_ARTICLE)
    assert snapshot() == before
    assert not Exercise.objects.filter(slug="combined-harbour-drill-2032").exists()
