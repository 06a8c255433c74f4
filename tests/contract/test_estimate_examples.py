"""The worked examples in openapi.yaml are real answers, and every workload schema is documented.

After a deliberate change of an answer, refresh the examples' answers (then `make openapi`):
`.venv/bin/python -m tests.contract.test_estimate_examples`.
"""

from __future__ import annotations

import json

import pytest
import yaml
from litestar.testing import TestClient

from service.__main__ import openapi_yaml
from service.routes.estimates import EXAMPLES_DIR, load_example

WORKLOADS = {
    "estimateInference": ("InferenceRequest", "InferenceEstimate"),
    "estimatePrompting": ("PromptingRequest", "PromptingEstimate"),
    "estimateRag": ("RagRequest", "RagEstimate"),
    "estimateAgent": ("AgentRequest", "AgentEstimate"),
}


@pytest.fixture(name="document", scope="module")
def fixture_document() -> dict:
    return yaml.safe_load(openapi_yaml())


def test_every_example_file_belongs_to_an_operation(document: dict) -> None:
    operations = {
        operation["operationId"]
        for methods in document["paths"].values()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    files = {path.stem for path in EXAMPLES_DIR.glob("*.json")}
    assert files <= operations
    assert set(WORKLOADS) <= files


@pytest.mark.parametrize("operation_id", sorted(WORKLOADS))
def test_example_answer_is_what_the_service_answers(client: TestClient, operation_id: str) -> None:
    example = load_example(operation_id)
    assert example is not None
    response = client.post(example["path"], json=example["request"])
    assert response.status_code == 200, response.text
    assert response.json() == example["response"], (
        f"service/routes/examples/{operation_id}.json is stale: if the change is meant, run "
        "`.venv/bin/python -m tests.contract.test_estimate_examples`"
    )


@pytest.mark.parametrize(("operation_id", "schemas"), sorted(WORKLOADS.items()))
def test_workload_schemas_carry_descriptions_and_examples(
    document: dict, operation_id: str, schemas: tuple[str, str]
) -> None:
    components = document["components"]["schemas"]
    for name in schemas:
        schema = components[name]
        assert schema.get("description"), name
        assert schema.get("examples"), name
        undocumented = [
            field for field, spec in schema["properties"].items() if not spec.get("description")
        ]
        assert undocumented == [], f"{name}: {undocumented}"
    request = components[schemas[0]]["properties"]
    assert any("examples" in spec for spec in request.values())


@pytest.mark.parametrize(
    "name",
    ["InferenceCapacity", "AgentTokens", "AgentWorstCase", "RerankerRates", "VectorStoreRates"],
)
def test_nested_workload_schemas_describe_every_field(document: dict, name: str) -> None:
    schema = document["components"]["schemas"][name]
    assert [
        field for field, spec in schema["properties"].items() if not spec.get("description")
    ] == []


def refresh() -> None:
    """Rewrite every example's answer with what the service answers now."""
    from pricing.loader import load_catalog
    from service.app import create_app
    from service.settings import Settings

    app = create_app(Settings(log_level="WARNING", metrics_enabled=False), load_catalog())
    with TestClient(app) as client:
        for path in sorted(EXAMPLES_DIR.glob("*.json")):
            example = json.loads(path.read_text())
            example["response"] = client.post(example["path"], json=example["request"]).json()
            path.write_text(json.dumps(example, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    refresh()
