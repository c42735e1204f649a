"""The record pages' links, written without model instances or reverse() per link (issue 14):
record_url gives what reverse() gives, and a link's label what the record's str() gives."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from milidip.pages.records import KINDS, LINKED, links
from milidip.records import record_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "key", ["KOR", "rok-us-alliance", "a b", "défense", "x%y", "~:@!$&'()*+,;=", "a?b#c"]
)
@pytest.mark.parametrize("kind_name", list(KINDS))
def test_a_record_url_is_what_reverse_gives(kind_name, key):
    name = f"pages:{kind_name}"
    assert record_url(name, key) == reverse(name, args=[key])


def test_a_record_url_follows_the_script_prefix():
    try:
        set_script_prefix("/milidip/")
        assert record_url("pages:country", "KOR") == "/milidip/countries/KOR/"
        assert record_url("pages:country", "KOR") == reverse("pages:country", args=["KOR"])
    finally:
        set_script_prefix("/")
    assert record_url("pages:country", "KOR") == "/countries/KOR/"


def test_a_key_reverse_refuses_is_refused_alike():
    for key in ("", "a/b"):
        with pytest.raises(NoReverseMatch):
            record_url("pages:alliance", key)


@pytest.mark.parametrize("kind_name", list(LINKED))
def test_a_link_shows_the_record_as_its_str_and_points_to_its_page(kind_name):
    model = KINDS[kind_name].model
    records = list(model.objects.order_by("pk"))
    assert records, f"the articles give some {KINDS[kind_name].plural}"
    shown = links(kind_name, model.objects.order_by("pk"))
    assert [row["label"] for row in shown] == [str(record) for record in records]
    assert [row["url"] for row in shown] == [
        reverse(f"pages:{kind_name}", args=[getattr(record, KINDS[kind_name].lookup)])
        for record in records
    ]


def test_a_short_name_is_the_label_where_str_shows_it():
    kind_name = "alliance"
    model = KINDS[kind_name].model
    record = model.objects.order_by("pk").first()
    model.objects.filter(pk=record.pk).update(short_name="Short")
    record.refresh_from_db()
    (shown,) = links(kind_name, model.objects.filter(pk=record.pk))
    assert shown["label"] == str(record) == "Short"
