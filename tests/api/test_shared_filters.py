"""The filters every resource shares: year_from / year_to on the main date, status (drafts only
for curators), and search (ranked on PostgreSQL)."""

import pytest

from tests.api.helpers import (
    ALL,
    DATED,
    ON_POSTGRESQL,
    RESOURCES,
    assert_error,
    ids,
    idset,
    in_year_range,
)

pytestmark = pytest.mark.django_db

DATES = {
    "199": "decade-1990s",
    "1953": "y1953",
    "1990": "y1990",
    "2005-03": "m2005-03",
    "2017-03-01": "d2017-03-01",
    "": "undated",
}

RANGES = [
    # (year_from, year_to, the records made here that fall in the range)
    (1995, None, {"decade-1990s", "m2005-03", "d2017-03-01"}),
    (None, 1989, {"y1953"}),
    (None, 1990, {"y1953", "y1990", "decade-1990s"}),
    (1990, 1990, {"y1990", "decade-1990s"}),
    (2005, 2005, {"m2005-03"}),
    (1950, 2010, {"y1953", "y1990", "decade-1990s", "m2005-03"}),
    (2006, 2016, set()),
    (1953, 1953, {"y1953"}),
    (2017, None, {"d2017-03-01"}),
    (2018, None, set()),
]


def make_dated(resource, prefix):
    made = {}
    for date, label in DATES.items():
        record = resource.make(**{resource.key: f"{prefix}-{label}", resource.date_field: date})
        made[resource.ident(record)] = label
    return made


@pytest.mark.parametrize(("year_from", "year_to", "expected"), RANGES)
@pytest.mark.parametrize("name", DATED)
def test_year_from_and_year_to_are_inclusive_on_the_main_date(
    api, name, year_from, year_to, expected
):
    resource = RESOURCES[name]
    made = make_dated(resource, f"dated-{name}")
    params = {"page_size": 500}
    if year_from is not None:
        params["year_from"] = year_from
    if year_to is not None:
        params["year_to"] = year_to
    found = idset(api.get(resource.url, params))
    assert {made[slug] for slug in found if slug in made} == expected
    # Every record, curated ones included, against the reference semantics.
    reference = {
        resource.ident(record)
        for record in resource.model.objects.filter(status="published")
        if in_year_range(getattr(record, resource.date_field), year_from, year_to)
    }
    assert found == reference


@pytest.mark.parametrize("name", DATED)
def test_undated_records_never_match_a_year_range(api, name):
    resource = RESOURCES[name]
    undated = resource.make(**{resource.date_field: ""})
    found = idset(api.get(resource.url, {"year_from": 1, "year_to": 9999, "page_size": 500}))
    assert resource.ident(undated) not in found
    everything = idset(api.get(resource.url, {"page_size": 500}))
    assert resource.ident(undated) in everything


@pytest.fixture
def unpublished():
    """A draft and a retracted record of each resource."""

    def make(name):
        resource = RESOURCES[name]
        draft = resource.make(status="draft")
        retracted = resource.make(status="retracted", retraction_reason="Withdrawn in a test.")
        return resource, resource.ident(draft), resource.ident(retracted)

    return make


@pytest.mark.parametrize("name", ALL)
def test_anonymous_callers_never_see_drafts_or_retracted_records(api, unpublished, name):
    resource, draft, retracted = unpublished(name)
    listed = idset(api.get(resource.url, {"page_size": 500}), resource.key)
    assert draft not in listed
    assert retracted not in listed
    assert api.get(resource.url, {"page_size": 500}).json()["count"] == (
        resource.model.objects.filter(status="published").count()
    )
    assert_error(api.get(resource.detail_url(draft)), 404)
    # A retracted record is gone, not unknown: 410 with the reason it was withdrawn.
    gone = assert_error(api.get(resource.detail_url(retracted)), 410)
    assert gone["detail"].startswith("Retracted: ")
    for status in ("draft", "retracted"):
        response = api.get(resource.url, {"status": status})
        assert response.status_code == 200
        assert response.json()["count"] == 0


@pytest.mark.parametrize("name", ALL)
def test_a_user_without_the_view_permission_sees_published_records_only(reader, unpublished, name):
    resource, draft, retracted = unpublished(name)
    listed = idset(reader.get(resource.url, {"page_size": 500}), resource.key)
    assert draft not in listed
    assert retracted not in listed
    assert reader.get(resource.detail_url(draft)).status_code == 404


@pytest.mark.parametrize("name", ALL)
def test_a_curator_with_the_view_permission_sees_drafts_and_filters_by_status(
    curator, unpublished, name
):
    resource, draft, retracted = unpublished(name)
    listed = idset(curator.get(resource.url, {"page_size": 500}), resource.key)
    assert {draft, retracted} <= listed
    assert idset(curator.get(resource.url, {"status": "draft"}), resource.key) == {draft}
    assert idset(curator.get(resource.url, {"status": "retracted"}), resource.key) == {retracted}
    published = idset(
        curator.get(resource.url, {"status": "published", "page_size": 500}), resource.key
    )
    assert draft not in published
    assert retracted not in published
    response = curator.get(resource.detail_url(draft))
    assert response.status_code == 200
    assert response.json()["status"] == "draft"


@pytest.mark.parametrize("name", ALL)
def test_status_filter_with_an_unknown_status_is_a_400(api, name):
    assert_error(api.get(RESOURCES[name].url, {"status": "hidden"}), 400, "status")


SEARCH_WORD = "Quetzalcoatl"


@pytest.mark.parametrize("name", ALL)
def test_search_finds_a_word_in_a_new_records_title_and_nothing_else(api, name):
    resource = RESOURCES[name]
    record = resource.make(**{resource.title_field: f"Operation {SEARCH_WORD} review"})
    resource.make(**{resource.title_field: "Operation Other review"})
    found = idset(api.get(resource.url, {"search": SEARCH_WORD}), resource.key)
    assert found == {resource.ident(record)}
    # Case does not matter, and every word must match.
    assert idset(api.get(resource.url, {"search": SEARCH_WORD.lower()}), resource.key) == found
    both = idset(api.get(resource.url, {"search": f"{SEARCH_WORD} review"}), resource.key)
    assert both == found
    assert idset(api.get(resource.url, {"search": f"{SEARCH_WORD} zyzzyva"}), resource.key) == set()


@pytest.mark.parametrize("name", ALL)
def test_search_does_not_find_drafts_for_anonymous_callers(api, curator, name):
    resource = RESOURCES[name]
    draft = resource.make(status="draft", **{resource.title_field: f"{SEARCH_WORD} draft"})
    assert idset(api.get(resource.url, {"search": SEARCH_WORD}), resource.key) == set()
    found = idset(curator.get(resource.url, {"search": SEARCH_WORD}), resource.key)
    assert found == {resource.ident(draft)}


@pytest.mark.skipif(not ON_POSTGRESQL, reason="ranking is PostgreSQL's; SQLite only filters")
@pytest.mark.parametrize("name", ALL)
def test_search_on_postgresql_ranks_the_best_match_first(api, name):
    resource = RESOURCES[name]
    # Made first (so first by primary key): mentions the word once among many others.
    weak = resource.make(
        **{resource.title_field: f"A long title about many things and {SEARCH_WORD} once"}
    )
    strong = resource.make(**{resource.title_field: f"{SEARCH_WORD} {SEARCH_WORD} {SEARCH_WORD}"})
    order = ids(api.get(resource.url, {"search": SEARCH_WORD}), resource.key)
    assert order == [resource.ident(strong), resource.ident(weak)]


@pytest.mark.parametrize("name", ALL)
def test_search_with_ordering_follows_the_ordering(api, name):
    resource = RESOURCES[name]
    field = resource.title_field
    first = resource.make(**{field: f"Aardvark {SEARCH_WORD}"})
    last = resource.make(**{field: f"Zebra {SEARCH_WORD} {SEARCH_WORD} {SEARCH_WORD}"})
    order = ids(api.get(resource.url, {"search": SEARCH_WORD, "ordering": field}), resource.key)
    assert order == [resource.ident(first), resource.ident(last)]
    order = ids(
        api.get(resource.url, {"search": SEARCH_WORD, "ordering": f"-{field}"}), resource.key
    )
    assert order == [resource.ident(last), resource.ident(first)]
