"""CSV: `?format=csv` and `Accept: text/csv` give every list as text/csv, a header row and one row
per record; errors stay JSON."""

import pytest

from tests.api.helpers import ALL, API, RESOURCES, assert_error, csv_rows

pytestmark = pytest.mark.django_db


def check_csv(response, expected_results):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv"), response["Content-Type"]
    rows = csv_rows(response)
    header, body = rows[0], rows[1:]
    assert header == list(expected_results[0].keys())
    assert len(body) == len(expected_results)
    return header, body


@pytest.mark.parametrize("name", ALL)
def test_format_csv_gives_a_header_and_one_row_per_record(api, name):
    resource = RESOURCES[name]
    results = api.get(resource.url, {"page_size": 500}).json()["results"]
    response = api.get(resource.url, {"page_size": 500, "format": "csv"})
    header, body = check_csv(response, results)
    column = header.index(resource.key)
    assert [row[column] for row in body] == [item[resource.key] for item in results]


@pytest.mark.parametrize("name", ALL)
def test_accept_text_csv_gives_a_header_and_one_row_per_record(api, name):
    resource = RESOURCES[name]
    results = api.get(resource.url, {"page_size": 500}).json()["results"]
    response = api.get(resource.url, {"page_size": 500}, HTTP_ACCEPT="text/csv")
    header, body = check_csv(response, results)
    column = header.index(resource.key)
    assert [row[column] for row in body] == [item[resource.key] for item in results]


@pytest.mark.parametrize("name", ALL)
def test_csv_follows_filters_and_pagination(api, name):
    resource = RESOURCES[name]
    results = api.get(resource.url, {"page_size": 2}).json()["results"]
    response = api.get(resource.url, {"page_size": 2, "format": "csv"})
    check_csv(response, results)


def test_csv_flattens_related_records_to_their_identifiers(api):
    response = api.get(f"{API}treaties/", {"format": "csv", "country": ["KOR", "USA"]})
    rows = csv_rows(response)
    header = rows[0]
    by_slug = {row[header.index("slug")]: row for row in rows[1:]}
    treaty = by_slug["rok-us-mutual-defense-treaty"]
    assert set(treaty[header.index("parties")].split("; ")) == {"KOR", "USA"}
    assert treaty[header.index("alliance")] == "rok-us-alliance"
    assert treaty[header.index("signed")] == "1953"
    assert "us-south-korea-military-alliance" in treaty[header.index("citations")]


def test_csv_of_missions_shows_contributions_with_personnel(api):
    response = api.get(f"{API}missions/", {"format": "csv", "contributor": "USA"})
    rows = csv_rows(response)
    header = rows[0]
    contributions = {row[0]: row[header.index("contributions")] for row in rows[1:]}
    assert header[0] == "slug"
    assert contributions == {
        "us-military-presence-south-korea": "USA:28500",
        "us-military-aid-to-south-korea": "USA",
        "us-military-support-korean-war": "USA",
    }


@pytest.mark.parametrize("name", ALL)
def test_an_error_asked_for_as_csv_stays_json(api, name):
    resource = RESOURCES[name]
    assert_error(api.get(resource.url, {"format": "csv", "page": 0}), 400, "page")
    assert_error(api.get(resource.url, {"page": 0}, HTTP_ACCEPT="text/csv"), 400, "page")
    assert_error(api.get(resource.detail_url("zzz-no-such"), {"format": "csv"}), 404)
    assert_error(api.get(resource.detail_url("zzz-no-such"), HTTP_ACCEPT="text/csv"), 404)


def test_an_empty_csv_list_is_not_an_error(api):
    response = api.get(f"{API}treaties/", {"format": "csv", "kind": "armistice"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_a_mission_without_monthly_strengths_gives_their_columns_and_no_row(api):
    response = api.get(f"{API}missions/rok-peacekeeping-lebanon/strengths/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert csv_rows(response) == [
        [
            "month",
            "month_earliest",
            "month_latest",
            "troops",
            "police",
            "observers",
            "total",
            "outside_mission_dates",
            "source",
            "locator",
        ]
    ]


FORMULA = '=HYPERLINK("http://x","y")'


def csv_by_key(response, key="slug"):
    rows = csv_rows(response)
    header = rows[0]
    return header, {row[header.index(key)]: row for row in rows[1:]}


def test_a_formula_in_a_description_is_escaped_in_csv_and_kept_in_json(api):
    treaty = RESOURCES["treaties"].make(description=FORMULA)
    header, rows = csv_by_key(api.get(f"{API}treaties/", {"format": "csv", "page_size": 500}))
    assert rows[treaty.slug][header.index("description")] == "'" + FORMULA
    assert api.get(f"{API}treaties/{treaty.slug}/").json()["description"] == FORMULA


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_owasp_lists_is_escaped(api, start):
    treaty = RESOURCES["treaties"].make(description=f"{start}cmd|' /C calc'!A0")
    header, rows = csv_by_key(api.get(f"{API}treaties/", {"format": "csv", "page_size": 500}))
    assert rows[treaty.slug][header.index("description")] == f"'{start}cmd|' /C calc'!A0"


def test_plain_text_numbers_and_partial_dates_are_not_escaped(api):
    exercise = RESOURCES["exercises"].make(
        description="A drill, - not a formula", start="1953", latitude=-33.5, longitude=-70.25
    )
    header, rows = csv_by_key(api.get(f"{API}exercises/", {"format": "csv", "page_size": 500}))
    row = rows[exercise.slug]
    assert row[header.index("description")] == "A drill, - not a formula"
    assert row[header.index("start")] == "1953"
    assert (row[header.index("latitude")], row[header.index("longitude")]) == ("-33.5", "-70.25")
