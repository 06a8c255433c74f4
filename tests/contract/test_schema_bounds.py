"""The bounds the server enforces on capacity requests are in the OpenAPI document too.

Litestar reads a msgspec field's constraints only from ``Annotated[T, Meta(...)] | None`` (not
from ``Annotated[Annotated[T, Meta(...)] | None, Meta(...)]``) and drops a bound equal to 0 on
an optional field, so these fields carry their bounds beside their description, and the shares
in [0.01, 1] are plain fields with their default.
"""

from __future__ import annotations

import msgspec.inspect as mi
import pytest
import yaml

from pricing.estimators.registry import ESTIMATORS
from service.__main__ import openapi_yaml

# From 1%: below it figures outgrow what a JSON reader holds (pricing.estimators.common).
SHARE = {"minimum": 0.01, "maximum": 1}


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
        ("ServingWorkload", "requests_per_second", {"minimum": 1e-9, "maximum": 10_000_000}),
        ("ServingWorkload", "requests_per_day", {"minimum": 1e-4}),
        ("ServingWorkload", "requests_per_month", {"minimum": 3e-3}),
        ("InlineGpu", "bandwidth_gb_per_s", {"minimum": 1}),
        ("InlineGpu", "dense_bf16_tflops", {"minimum": 0.01}),
        ("InlineArchitecture", "head_dim", {"minimum": 1}),
        ("FineTunedInference", "requests_per_month", {"maximum": 1e12}),
    ],
)
def test_enforced_bounds_are_documented(
    schemas: dict, schema: str, field: str, bounds: dict
) -> None:
    documented = schemas[schema]["properties"][field]
    assert {key: documented.get(key) for key in bounds} == bounds


_KEYWORDS = {
    "gt": "exclusiveMinimum",
    "ge": "minimum",
    "lt": "exclusiveMaximum",
    "le": "maximum",
    "min_length": "minLength",
    "max_length": "maxLength",
}


def _unwrapped(info: object) -> object:
    while isinstance(info, mi.Metadata):
        info = info.type
    return info


def _enforced(info: object, seen: set[str]) -> list[tuple[str, str, str, object]]:
    """(schema, field, keyword, value) of every numeric or string bound msgspec enforces."""
    info = _unwrapped(info)
    if isinstance(info, mi.UnionType):
        return [bound for member in info.types for bound in _enforced(member, seen)]
    if isinstance(info, mi.ListType):
        return _enforced(info.item_type, seen)
    if not isinstance(info, mi.StructType) or info.cls.__name__ in seen:
        return []
    seen.add(info.cls.__name__)
    found = []
    for field in info.fields:
        field_type = _unwrapped(field.type)
        members = field_type.types if isinstance(field_type, mi.UnionType) else (field_type,)
        for member in map(_unwrapped, members):
            if isinstance(member, mi.IntType | mi.FloatType | mi.StrType):
                for name, keyword in _KEYWORDS.items():
                    value = getattr(member, name, None)
                    if value is not None:
                        found.append((info.cls.__name__, field.encode_name, keyword, value))
            found += _enforced(member, seen)
    return found


def test_every_nonzero_bound_the_server_enforces_is_documented(schemas: dict) -> None:
    # Litestar drops a bound equal to 0 on an optional field (a falsy check); those are left to
    # the service's schema plugin. Every other bound must be in the document.
    seen: set[str] = set()
    bounds = [
        bound
        for estimator in ESTIMATORS.values()
        for bound in _enforced(mi.type_info(estimator.request_type), seen)
    ]
    missing = []
    for schema, field, keyword, value in bounds:
        documented = schemas[schema]["properties"][field]
        places = [documented, *documented.get("oneOf", [])]
        if value != 0 and all(place.get(keyword) != value for place in places):
            missing.append(f"{schema}.{field} {keyword} {value}")
    assert len(bounds) > 100
    assert missing == []
