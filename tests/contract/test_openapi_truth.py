"""openapi.yaml describes what the service really accepts and writes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from service.__main__ import openapi_yaml


def document() -> dict[str, Any]:
    return yaml.safe_load(openapi_yaml())


def refs(node: Any) -> Iterator[str]:
    """Every component name a schema fragment refers to."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref.rsplit("/", 1)[-1]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def request_components(spec: dict[str, Any]) -> set[str]:
    """Every component reachable from a request body."""
    schemas = spec["components"]["schemas"]
    pending = [
        name
        for methods in spec["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict)
        for name in refs(operation.get("requestBody", {}))
    ]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending.extend(refs(schemas[name]))
    return seen


def test_every_request_object_refuses_unknown_fields() -> None:
    # Request Structs forbid unknown fields (DESIGN §3), so the schema must say so, or clients
    # and fuzzers believe extra keys are accepted.
    spec = document()
    schemas = spec["components"]["schemas"]
    names = request_components(spec)

    assert "UsageRequest" in names and "Usage" in names
    open_objects = [
        name
        for name in sorted(names)
        if schemas[name].get("type") == "object"
        and schemas[name].get("additionalProperties") is not False
    ]
    assert open_objects == []


def test_money_is_documented_as_a_number() -> None:
    # service/encoding.py writes Decimals as JSON numbers (DESIGN §3.2).
    schemas = document()["components"]["schemas"]

    assert schemas["UsageEstimate"]["properties"]["total_usd"]["type"] == "number"
    assert schemas["LineItem"]["properties"]["cost_usd"]["type"] == "number"


def test_responses_are_open_for_additions() -> None:
    # Responses may gain fields in v1 without breaking generated clients.
    schemas = document()["components"]["schemas"]

    assert "additionalProperties" not in schemas["UsageEstimate"]


def test_model_id_path_parameter_is_a_plain_string() -> None:
    operation = document()["paths"]["/v1/pricing/{version}/models/{model_id}"]["get"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "model_id")

    assert parameter["schema"]["type"] == "string"
    assert "format" not in parameter["schema"]


def test_every_operation_documents_its_problems() -> None:
    spec = document()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            has_input = bool(operation.get("parameters") or operation.get("requestBody"))
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert "application/problem+json" in response["content"], (method, path)
            if has_input:
                assert {"400", "422"} <= set(operation["responses"]), (method, path)
