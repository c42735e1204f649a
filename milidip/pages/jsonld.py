"""schema.org JSON-LD for record pages, so search engines and citation tools read them.

The types chosen:
- a country is a `Country`;
- an alliance or a treaty is `Legislation` (schema.org's type for an instrument with legal force
  between parties; `legislationJurisdiction` names the parties), as the issue suggests; an
  alliance is the arrangement its treaties make, and schema.org has no type closer to it;
- an exercise or a mission is an `Event` (with startDate, endDate, location);
- a challenge is a `DefinedTerm` (a named problem the records respond to);
- a source is a `Dataset` or a `ScholarlyArticle`, with `citation` and `license`.
Every record names its sources (`isBasedOn`, each with its licence) and is `url`-identified by
its page, with `sameAs` its API record.
"""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe

from milidip.sources.models import Source

# As json_script does: nothing in the data can close the <script> element.
_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

TYPES = {
    "country": "Country",
    "alliance": "Legislation",
    "treaty": "Legislation",
    "exercise": "Event",
    "mission": "Event",
    "challenge": "DefinedTerm",
}


def source_jsonld(request, source):
    data = {
        "@type": "Dataset" if source.kind == Source.Kind.DATASET else "ScholarlyArticle",
        "name": source.title,
        "url": request.build_absolute_uri(source.get_absolute_url()),
    }
    if source.url:
        data["sameAs"] = source.url
    if source.author:
        data["author"] = source.author
    if source.publisher:
        data["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.published:
        data["datePublished"] = source.published
    if source.citation_text:
        data["citation"] = source.citation_text
    if source.licence:
        data["license"] = source.licence
    return data


def record_jsonld(request, kind, record, context):
    """The record's JSON-LD, as a string safe to put inside <script type="application/ld+json">."""
    if kind.model is Source:
        data = source_jsonld(request, record)
    else:
        data = {
            "@type": TYPES[kind.name],
            "name": str(getattr(record, kind.title_field)),
            "url": request.build_absolute_uri(record.get_absolute_url()),
            "sameAs": request.build_absolute_uri(kind.api_url(record)),
        }
        description = getattr(record, "description", "")
        if description:
            data["description"] = description
        sources = {citation.source.pk: citation.source for citation in context["citations"]}
        data["isBasedOn"] = [source_jsonld(request, source) for source in sources.values()]
        data.update(_own_fields(request, kind.name, record, context))
    data = {"@context": "https://schema.org", **data}
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_ESCAPES)
    return mark_safe(text)


def _own_fields(request, kind_name, record, context):
    if kind_name == "country":
        names = [name for name in [record.official_name, *record.aliases] if name]
        names += [name for name in record.names.values() if name != record.name]
        return {"identifier": record.code, "alternateName": list(dict.fromkeys(names))}
    if kind_name in ("exercise", "mission"):
        fields = {}
        if record.start:
            fields["startDate"] = record.start
        if record.end:
            fields["endDate"] = record.end
        location = getattr(record, "location", "")
        if location:
            fields["location"] = {"@type": "Place", "name": location}
        elif kind_name == "mission" and context["hosts"]:
            fields["location"] = [
                {"@type": "Country", "name": country["name"]} for country in context["hosts"]
            ]
        return fields
    if kind_name == "treaty":
        fields = {"legislationJurisdiction": [c["name"] for c in context["parties"]]}
        if record.signed:
            fields["legislationDate"] = record.signed
        return fields
    if kind_name == "alliance":
        fields = {
            "legislationJurisdiction": [
                m["country"]["name"] for m in context["memberships"]["rows"]
            ]
        }
        if record.start:
            fields["legislationDate"] = record.start
        return fields
    return {}
