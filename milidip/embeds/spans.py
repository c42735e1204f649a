"""How an embed words a record's span of time, so that an unknown start or end reads as
unknown and a span still open when its source's coverage ends says so (`end_kind`,
`coverage_end`: milidip.dates.EndKind) instead of looking like "until today"."""

from django.utils.translation import gettext as _

from milidip.dates import EndKind


def start_text(start):
    return start or _("start unknown")


def end_text(record):
    """The end of `record` (an alliance, a membership or a mission) in words."""
    end_kind = getattr(record, "end_kind", "")
    if record.end or end_kind == EndKind.ENDED:
        return record.end or _("ended, date unknown")
    if end_kind == EndKind.ENDED_UNKNOWN_DATE:
        return _("ended, date unknown")
    if end_kind == EndKind.CENSORED:
        if record.coverage_end:
            return _("in force at dataset end (%(year)s)") % {"year": record.coverage_end}
        return _("in force at dataset end")
    return _("end not known")


def span_text(record, start=None):
    """ "1953 – in force at dataset end (2012)": `start` defaults to the record's own."""
    return f"{start_text(start if start is not None else record.start)} – {end_text(record)}"
