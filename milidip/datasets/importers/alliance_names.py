"""Readable short names for the imported alliances the sources name by a code only.

COW and ATOP give an alliance no name: the imports set its short name to its code ("ATOP 4125",
"COW 344"). After an alliance import, `name_coded_alliances` replaces such a code, and a name
it generated before, by one made of the alliance's kind, members and year:

    Defence pact: United States, South Korea (1953)

with the members' codes when their names do not fit the field (50 characters), and the first
members' codes and a count when even the codes do not: "Non-aggression pact: USA, GBR +
10 (1949)". It marks the record `short_name_generated`. A short name a curator wrote (not a
code, not generated, or a generated one they edited, which clears the mark) is never touched.
A record whose name is already what it would generate is left alone, so a second run writes
nothing. Writes go through simple-history with the reason "import alliance names".

It runs as its own step after the COW and ATOP imports, not inside them, so that the imports'
own logic stays theirs.
"""

import re

from django.db.models import Prefetch, Q
from simple_history.utils import bulk_update_with_history

from alliances.models import Alliance, Membership

CODE = re.compile(r"^(ATOP|COW) [0-9]+$")
REASON = "import alliance names"
MAX_LENGTH = Alliance._meta.get_field("short_name").max_length


def generated_name(alliance):
    """The readable short name of an alliance from its kind, members and year."""
    kind = alliance.get_kind_display()
    year = f" ({alliance.start[:4]})" if alliance.start else ""
    countries = list(dict.fromkeys(m.country for m in alliance.memberships.all()))
    if not countries:
        return f"{kind}{year}"[:MAX_LENGTH]
    for members in (
        ", ".join(country.name for country in countries),
        ", ".join(country.code for country in countries),
    ):
        name = f"{kind}: {members}{year}"
        if len(name) <= MAX_LENGTH:
            return name
    for shown in range(len(countries) - 1, 0, -1):
        rest = len(countries) - shown
        codes = ", ".join(country.code for country in countries[:shown])
        name = f"{kind}: {codes} +{rest}{year}"
        if len(name) <= MAX_LENGTH:
            return name
    return f"{kind}: {len(countries)} members{year}"[:MAX_LENGTH]


def name_coded_alliances():
    """Give every coded (or generated) alliance short name its readable form; returns the
    number of alliances renamed."""
    alliances = Alliance.objects.filter(
        Q(short_name__regex=r"^(ATOP|COW) [0-9]+$") | Q(short_name_generated=True)
    ).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("country").order_by("start", "pk"),
        )
    )
    changed = []
    for alliance in alliances:
        name = generated_name(alliance)
        if alliance.short_name == name and alliance.short_name_generated:
            continue
        alliance.short_name, alliance.short_name_generated = name, True
        alliance._history_user = None
        changed.append(alliance)
    if changed:
        bulk_update_with_history(
            changed,
            Alliance,
            ["short_name", "short_name_generated"],
            batch_size=500,
            default_change_reason=REASON,
        )
    return len(changed)
