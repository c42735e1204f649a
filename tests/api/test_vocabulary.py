"""/api/v1/vocabulary/ gives a label for every coded value the API uses."""

from pathlib import Path

import yaml
from django.apps import apps

from milidip.explore.search import SEARCHED
from milidip.explore.vocabulary import VOCABULARIES

COMMITTED = Path(__file__).resolve().parents[2] / "milidip" / "api" / "openapi.yaml"
# Codes that are not data: BlankEnum ("", none), and the health probes' states.
NOT_DATA = {
    "BlankEnum",
    "HealthComponentStatusEnum",
    "LivenessStatusEnum",
    "ReadinessStatusEnum",
}


def test_every_coded_value_in_the_schema_has_a_label(client, db):
    vocabulary = client.get("/api/v1/vocabulary/").json()
    code_sets = {name: {term["code"] for term in terms} for name, terms in vocabulary.items()}
    schemas = yaml.safe_load(COMMITTED.read_text())["components"]["schemas"]
    enums = {name: set(schema["enum"]) for name, schema in schemas.items() if "enum" in schema}
    assert {"DomainsEnum", "PurposesEnum", "AllianceKindEnum"} <= set(enums)
    for name, codes in enums.items():
        if name not in NOT_DATA:
            assert codes in code_sets.values(), name
    for terms in vocabulary.values():
        assert all(term["label"].strip() for term in terms)


def test_labels_are_the_models_own(client, db):
    vocabulary = client.get("/api/v1/vocabulary/").json()
    domains = {term["code"]: term["label"] for term in vocabulary["domain"]}
    assert domains["command-post"] == "Command post (computer-simulated)"
    kinds = {term["code"]: term["label"] for term in vocabulary["alliance_kind"]}
    assert kinds["non-aggression-pact"] == "Non-aggression pact"


def test_the_vocabulary_refuses_unknown_parameters(client, db):
    response = client.get("/api/v1/vocabulary/", {"lang": "ko"})
    assert response.status_code == 400
    assert "lang" in response.json()["errors"]


# RFC 7946's own type names in a GeoJSON answer: the format's words, not milidip's codes.
GEOJSON_TYPES = [["FeatureCollection"], ["Feature"], ["Point"]]


def enums_in(node, components, seen):
    """Every enum in a schema node, inline or through $ref (each component once)."""
    if isinstance(node, dict):
        reference = node.get("$ref", "")
        if reference.startswith("#/components/schemas/"):
            name = reference.rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                if name not in NOT_DATA:
                    yield from enums_in(components[name], components, seen)
        if "enum" in node:
            yield node["enum"]
        for value in node.values():
            yield from enums_in(value, components, seen)
    elif isinstance(node, list):
        for value in node:
            yield from enums_in(value, components, seen)


def test_every_coded_value_a_documented_response_shows_has_a_label(client, db):
    """Enums inline (a claim's `rule`) as well as named, followed from every response."""
    vocabulary = client.get("/api/v1/vocabulary/").json()
    code_sets = [{term["code"] for term in terms} for terms in vocabulary.values()]
    schema = yaml.safe_load(COMMITTED.read_text())
    components, seen, checked = schema["components"]["schemas"], set(), 0
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/"):
            continue  # the health probes' states are for the operators' monitors
        for operation in operations.values():
            responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
            for codes in enums_in(responses, components, seen):
                if codes in GEOJSON_TYPES:
                    continue
                assert any(set(codes) <= known for known in code_sets), codes
                checked += 1
    assert checked >= 15
    assert {"ExerciseKindEnum", "EndKindEnum", "ChallengeCategoryEnum", "TypeEnum"} <= seen


# Model choices no response shows: the history's change type (the admin's) and a token's scope
# (told to its holder by the command that issues it).
NOT_SHOWN = {"history_type", "ApiToken.scope"}


def test_every_choice_of_the_models_has_a_label(client, db):
    """A coded field added to a model fails here until the vocabulary labels it."""
    vocabulary = client.get("/api/v1/vocabulary/").json()
    labelled = {
        frozenset(term["code"] for term in terms): {term["code"]: term["label"] for term in terms}
        for terms in vocabulary.values()
    }
    checked = 0
    for model in apps.get_models():
        if not model.__module__.startswith(("alliances.", "missions.", "milidip.")):
            continue
        if model.__name__.startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            name = f"{model.__name__}.{field.name}"
            if not field.choices or field.name in NOT_SHOWN or name in NOT_SHOWN:
                continue
            codes = frozenset(str(code) for code, _ in field.choices)
            assert codes in labelled, f"{name}: no vocabulary has exactly its codes"
            labels = dict(field.choices)
            assert labelled[codes] == {code: str(labels[code]) for code in codes}, name
            checked += 1
    assert checked >= 12


def test_every_vocabulary_says_where_it_is_used(client, db):
    vocabulary = client.get("/api/v1/vocabulary/").json()
    assert list(vocabulary) == list(VOCABULARIES)
    for name, (_, used_by) in VOCABULARIES.items():
        assert "`" in used_by, name  # names the field or endpoint
    resources = {term["code"]: term["label"] for term in vocabulary["resource"]}
    assert resources == {name: name.capitalize() for name in SEARCHED}
    rules = {term["code"] for term in vocabulary["claim_rule"]}
    assert rules == {"curator", "agreed", "precedence"}
