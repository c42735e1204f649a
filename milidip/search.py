"""Searching records: the one full-text expression of milidip (core; imports no app).

`search_queryset` filters (and on PostgreSQL ranks) records by the words of a search;
`search_vector` is the expression it matches, which the GIN indexes (milidip.search_indexes) are
built on; `check_search_terms` bounds how many terms a search may have.
"""

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import FloatField, Q, TextField, Value
from django.db.models.functions import Cast, Replace

SEARCH_MAX_LENGTH = 200
# Each term is one more condition on every searched field (one more OR branch of a tsquery on
# PostgreSQL); a long OR search is refused rather than left to cost a worker for seconds.
SEARCH_MAX_TERMS = 10
SEARCH_CONFIG = "english"


def search_terms(text):
    """The words of a search, without the operator `or` and without a lone `-`."""
    words = [word.strip('"') for word in (text or "").split()]
    return [word for word in words if word and word.lower() != "or" and word != "-"]


def check_search_terms(text):
    """A search of more than SEARCH_MAX_TERMS terms is refused (a 400 naming the parameter)."""
    count = len(search_terms(text))
    if count > SEARCH_MAX_TERMS:
        raise forms.ValidationError(
            f"At most {SEARCH_MAX_TERMS} search terms (words other than `or`); this has {count}."
        )


def search_vector(fields):
    """The full-text vector over `fields`; the GIN indexes are built on the same expression.

    Slashes become spaces first: PostgreSQL's parser reads "Dokdo/Takeshima" as one file path.
    """
    return SearchVector(
        *(Replace(field, Value("/"), Value(" "), output_field=TextField()) for field in fields),
        config=SEARCH_CONFIG,
    )


def search_queryset(queryset, text, fields, also=None):
    """Records matching `text` in `fields`: PostgreSQL full text ranked, else every word.

    `also` (a Q) admits more records as matches (ranked by the same rank, usually 0): countries
    found by a name in another language, say.
    """
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        vector = search_vector(fields)
        matches = Q(search_document=query)
        if also is not None:
            matches |= also
        # The rank as double precision: ts_rank's real, read into Python and sent back in a
        # cursor, would no longer equal itself, and a cursor page would skip rows of equal rank.
        rank = Cast(SearchRank(vector, query), FloatField())
        return (
            queryset.annotate(search_document=vector, search_rank=rank)
            .filter(matches)
            .order_by("-search_rank", "pk")
        )
    every_word = Q()
    for word in text.split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        every_word &= condition
    if also is not None:
        every_word |= also
    return queryset.filter(every_word)
