"""Curators come first: when a record the importer wrote counts as a curator's.

A record changed since the importer last wrote it (a history entry with a user after the
importer's last one, or an owned field or link that differs from what the importer wrote) is
not overwritten unless the run is told to overwrite. A record the importer never wrote (a
curated fixture) only has its blank fields and empty links filled. RecordSync (fields) and
LinkSync (many-to-many links) both ask `curated_reason`.
"""

from django.utils import timezone


def curated_reason(snapshot, last_user, *, edited, already_set):
    """Why a record counts as a curator's, or "" when the importer may write it.

    snapshot: the importer's last history entry of the record (None: it never wrote it);
    last_user: the record's newest history entry with a user, or None; edited: the names the
    importer owns that differ from `snapshot`; already_set: the names the run would change
    that are not blank (what counts for a record the importer never wrote).
    """
    if snapshot is None:
        return f"it already has {', '.join(already_set)} set" if already_set else ""
    if last_user is not None and last_user.history_id < snapshot.history_id:
        last_user = None
    if not edited and last_user is None:
        return ""
    what = f"{', '.join(edited)} changed" if edited else "changed"
    if last_user is not None:
        when = timezone.localtime(last_user.history_date).strftime("%Y-%m-%d %H:%M")
        what += f" by {last_user.history_user} on {when}"
    return f"{what} since the last import"
