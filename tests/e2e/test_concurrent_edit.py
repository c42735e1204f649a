"""Two people edit the same treaty at once: the second save is refused, not silently lost.
(Reviewers: they change published records directly; curators' changes go to review.)"""

import pytest
from playwright.sync_api import expect

from alliances.models import Treaty

pytestmark = pytest.mark.django_db(transaction=True)

SLUG = "rok-us-mutual-defense-treaty"


def test_second_save_over_a_newer_change_is_refused(open_admin):
    treaty = Treaty.objects.get(slug=SLUG)
    change_url = f"/admin/alliances/treaty/{treaty.pk}/change/"
    first = open_admin("reviewer")
    second = open_admin("reviewer")
    first.goto(change_url)
    second.goto(change_url)
    expect(first.locator("#id_name")).to_have_value(treaty.name)
    expect(second.locator("#id_name")).to_have_value(treaty.name)

    first.fill("#id_name", "Mutual Defense Treaty (first edit)")
    first.click("input[name=_save]")
    expect(first.locator(".messagelist .success")).to_contain_text("was changed successfully")

    second.fill("#id_name", "Mutual Defense Treaty (second edit)")
    second.click("input[name=_save]")
    expect(second.locator(".errornote")).to_be_visible()
    expect(second.locator(".errorlist.nonfield")).to_contain_text(
        "Not saved: someone else changed this record"
    )
    # It says who, and the second person's edit is still in the form for them to apply again.
    expect(second.locator(".errorlist.nonfield")).to_contain_text(first.user.username)
    expect(second.locator("#id_name")).to_have_value("Mutual Defense Treaty (second edit)")

    treaty.refresh_from_db()
    assert treaty.name == "Mutual Defense Treaty (first edit)"
    assert [entry.history_user for entry in treaty.history.all()[:1]] == [first.user]
