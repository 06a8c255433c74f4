"""The bounds the server enforces on capacity requests are in the OpenAPI document too.

Litestar reads a msgspec field's constraints only from ``Annotated[T, Meta(...)] | None`` (not
from ``Annotated[Annotated[T, Meta(...)] | None, Meta(...)]``) and drops a bound equal to 0 on
an optional field, so these fields carry their bounds beside their description, and the shares
in (0, 1] are plain fields with their default.
"""

from __future__ import annotations

import pytest
import yaml

from service.__main__ import openapi_yaml

SHARE = {"exclusiveMinimum": 0, "maximum": 1}


@pytest.fixture(name="schemas", scope="module")
def fixture_schemas() -> dict:
    return yaml.safe_load(openapi_yaml())["components"]["schemas"]


@pytest.mark.parametrize(
    ("schema", "field", "bounds"),
    [
        ("SelfHostedTrainingRequest", "efficiency", SHARE | {"default": 0.4}),
        ("SelfHostedTrainingRequest", "gpu_count", {"minimum": 1, "maximum": 64}),
        ("SelfHostedTrainingRequest", "trained_tokens", {"minimum": 1, "maximum": 10**15}),
        ("SelfHostedTrainingRequest", "lora_rank", {"minimum": 1}),
        ("SelfHostedTrainingRequest", "micro_batch_size", {"minimum": 1}),
        ("SelfHostedTrainingRequest", "examples", {"minimum": 1}),
        ("SelfHostedTrainingRequest", "target_modules", {"minItems": 1, "maxItems": 7}),
        ("ServingRequest", "mfu", SHARE | {"default": 0.5}),
        ("ServingRequest", "bandwidth_efficiency", SHARE | {"default": 0.8}),
        ("ServingRequest", "target_utilization", SHARE | {"default": 0.8}),
        ("ServingRequest", "gpus_per_replica", {"minimum": 1, "maximum": 64, "default": 1}),
        ("ServingRequest", "max_batch_size", {"minimum": 1, "default": 256}),
        ("ServingRequest", "max_concurrency_per_replica", {"minimum": 1}),
        ("ServingRequest", "gpu_provider", {"minLength": 1, "maxLength": 100}),
        ("ServingRequest", "usd_per_gpu_hour", {"maximum": 10_000}),
        ("ServingWorkload", "requests_per_second", {"maximum": 10_000_000}),
        ("InlineArchitecture", "head_dim", {"minimum": 1}),
        ("FineTunedInference", "requests_per_month", {"maximum": 1e12}),
    ],
)
def test_enforced_bounds_are_documented(
    schemas: dict, schema: str, field: str, bounds: dict
) -> None:
    documented = schemas[schema]["properties"][field]
    assert {key: documented.get(key) for key in bounds} == bounds
