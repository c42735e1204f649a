"""History in the admin: revert a record to an earlier version; recover a deleted record."""

import pytest
from playwright.sync_api import expect

from alliances.models import Treaty, TreatyCitation

pytestmark = pytest.mark.django_db(transaction=True)


def test_reviewer_reverts_a_name_change_from_history(open_admin):
    treaty = Treaty.objects.get(slug="rok-us-cost-sharing-agreements")
    original = treaty.name
    page = open_admin("reviewer")

    page.goto(f"/admin/alliances/treaty/{treaty.pk}/change/")
    page.fill("#id_name", "Cost-sharing agreements (renamed by mistake)")
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    treaty.refresh_from_db()
    assert treaty.name == "Cost-sharing agreements (renamed by mistake)"

    page.goto(f"/admin/alliances/treaty/{treaty.pk}/history/")
    history = page.locator("#change-history")
    expect(history).to_contain_text("Cost-sharing agreements (renamed by mistake)")
    history.get_by_role("link", name=original, exact=True).click()
    expect(page.locator("#id_name")).to_have_value(original)
    page.get_by_role("button", name="Revert").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator(".errornote")).to_have_count(0)

    treaty.refresh_from_db()
    assert treaty.name == original
    latest = treaty.history.first()
    assert (latest.name, latest.history_user) == (original, page.user)


def test_reviewer_recovers_a_deleted_treaty_with_its_citations(open_admin):
    treaty = Treaty.objects.get(slug="us-japan-security-treaty")
    name, pk = treaty.name, treaty.pk
    citations = sorted(treaty.citations.values_list("source__slug", "quote", "locator"))
    parties = sorted(treaty.parties.values_list("code", flat=True))
    assert citations
    page = open_admin("reviewer")

    page.goto(f"/admin/alliances/treaty/{pk}/delete/")
    page.click("input[type=submit]")
    expect(page.locator(".messagelist .success")).to_contain_text("was deleted successfully")
    assert not Treaty.objects.filter(pk=pk).exists()
    assert not TreatyCitation.objects.filter(record_id=pk).exists()

    # The deleted treaties' page; the row is found by the treaty's name.
    page.goto("/admin/alliances/treaty/recover/")
    row = page.locator("#deleted-records tbody tr", has_text=name)
    expect(row).to_have_count(1)
    row.get_by_role("button", name="Recover").click()
    expect(page.locator(".messagelist .success")).to_contain_text("Recovered")

    recovered = Treaty.objects.get(slug="us-japan-security-treaty")
    assert recovered.name == name
    assert sorted(recovered.citations.values_list("source__slug", "quote", "locator")) == citations
    assert sorted(recovered.parties.values_list("code", flat=True)) == parties
    # Nothing deleted is left to recover.
    page.goto("/admin/alliances/treaty/recover/")
    expect(page.locator("#deleted-records tbody tr", has_text=name)).to_have_count(0)
