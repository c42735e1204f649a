"""A citation's quote must be verbatim in its article; a dataset citation needs its row."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alliances.models import AllianceCitation
from milidip.sources.models import Source, normalise_whitespace
from tests.factories import QUOTE_004, AllianceCitationFactory, AllianceFactory

pytestmark = pytest.mark.django_db


def test_a_verbatim_quote_is_accepted(article):
    citation = AllianceCitation(record=AllianceFactory(), source=article, quote=QUOTE_004)
    citation.full_clean()


def test_whitespace_differences_are_tolerated(article):
    spaced = QUOTE_004.replace(" ", "\n   ", 3)
    citation = AllianceCitation(record=AllianceFactory(), source=article, quote=spaced)
    citation.full_clean()


def test_a_quote_not_in_the_article_is_rejected_naming_the_source(article):
    changed = QUOTE_004.replace("foundational", "fundamental")
    citation = AllianceCitation(record=AllianceFactory(), source=article, quote=changed)
    with pytest.raises(ValidationError) as error:
        citation.full_clean()
    message = error.value.message_dict["quote"][0]
    assert "not found verbatim" in message
    assert article.title in message
    assert article.slug in message


def test_typographic_apostrophes_are_not_silently_straightened(article):
    text = article.normalised_text()
    at = text.index("’")
    curly = text[at - 60 : at + 60]
    straight = curly.replace("’", "'")
    assert article.contains_quote(curly)
    assert not article.contains_quote(straight)


def test_an_article_citation_needs_a_quote(article):
    citation = AllianceCitation(record=AllianceFactory(), source=article, quote="  ")
    with pytest.raises(ValidationError, match="needs a verbatim quote"):
        citation.full_clean()


def test_a_quote_too_short_to_identify_a_passage_is_rejected(article):
    citation = AllianceCitation(record=AllianceFactory(), source=article, quote="South Korea")
    with pytest.raises(ValidationError, match="too short"):
        citation.full_clean()


def test_a_dataset_citation_needs_a_row_locator():
    dataset = Source.objects.create(
        slug="cow-alliances", title="COW Formal Alliances v4.1", kind=Source.Kind.DATASET
    )
    citation = AllianceCitation(record=AllianceFactory(), source=dataset)
    with pytest.raises(ValidationError, match="needs the row it came from"):
        citation.full_clean()
    citation.locator = "alliance_v4.1_by_member.csv:ally_id=236"
    citation.full_clean()


def test_the_database_refuses_a_citation_with_neither_quote_nor_locator(article):
    with pytest.raises(IntegrityError, match="has_quote_or_locator"), transaction.atomic():
        AllianceCitation.objects.create(record=AllianceFactory(), source=article)


def test_the_same_citation_twice_is_refused():
    first = AllianceCitationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AllianceCitation.objects.create(record=first.record, source=first.source, quote=first.quote)
    assert AllianceCitation.objects.filter(record=first.record).count() == 1


def test_an_article_whose_file_changed_fails_validation(article):
    article.checksum = "0" * 64
    with pytest.raises(ValidationError, match="checksum"):
        article.full_clean()


def test_every_article_matches_its_recorded_checksum():
    articles = Source.objects.filter(kind=Source.Kind.ARTICLE)
    assert articles.count() == 5
    for source in articles:
        source.full_clean()


def test_whitespace_is_normalised_to_single_spaces():
    assert normalise_whitespace("  a\n\tb  c ") == "a b c"
