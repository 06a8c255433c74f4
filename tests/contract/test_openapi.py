"""The committed openapi.yaml is what the app generates, and generated clients get clean names."""

from __future__ import annotations

from pathlib import Path

import yaml

from service.__main__ import openapi_yaml

SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"


def test_committed_spec_matches_the_app() -> None:
    assert SPEC.read_text() == openapi_yaml(), (
        "openapi.yaml drifted: run `.venv/bin/python -m service openapi > openapi.yaml`"
    )


def test_every_operation_has_a_lower_camel_id_and_one_tag() -> None:
    document = yaml.safe_load(openapi_yaml())
    ids = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method not in {"get", "post", "put", "delete", "patch"}:
                continue
            operation_id = operation.get("operationId")
            assert operation_id, f"{method} {path} has no operationId"
            assert operation_id[0].islower() and "_" not in operation_id
            assert len(operation.get("tags", [])) == 1, f"{operation_id} needs exactly one tag"
            ids.append(operation_id)
    assert len(ids) == len(set(ids))


def test_component_titles_are_unique() -> None:
    schemas = yaml.safe_load(openapi_yaml())["components"]["schemas"]
    titles = [schema.get("title", name) for name, schema in schemas.items()]
    assert len(titles) == len(set(titles))


def test_operational_routes_stay_out_of_the_spec() -> None:
    paths = yaml.safe_load(openapi_yaml())["paths"]
    assert not {"/healthz", "/readyz", "/version", "/metrics"} & set(paths)
