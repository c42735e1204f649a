"""/api/v1/vocabulary/ gives a label for every coded value the API uses."""

from pathlib import Path

import yaml

COMMITTED = Path(__file__).resolve().parents[2] / "milidip" / "api" / "openapi.yaml"
# Codes that are not data: the search hit types (resource names), BlankEnum ("", none), and
# the health probes' states.
NOT_DATA = {
    "TypeEnum",
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
