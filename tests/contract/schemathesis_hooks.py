"""schemathesis hooks for spendcast, loaded through ``SCHEMATHESIS_HOOKS``.

Random strings almost never name a model or a table, so without help every estimate would stop
at the 404 and the estimators would go untested. The hooks swap ids that the schema allows
anyway for ids that exist (a valid string for another valid string, so a generated case keeps
its validity), and one extra check holds the decoder to the schema.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import strategies as st

from pricing.loader import load_catalog

_CATALOG = load_catalog()
_LATEST = _CATALOG.latest
_VERSIONS = [*sorted(_CATALOG.tables), "latest"]

#: Field or parameter name -> ids that exist in the shipped tables.
KNOWN_IDS: dict[str, list[str]] = {
    "model": [m.id for m in _LATEST.models if m.kind == "chat"],
    "model_id": [m.id for m in _LATEST.models],
    "embedding_model": [m.id for m in _LATEST.models if m.kind == "embedding"],
    "pricing_version": _VERSIONS,
    "version": _VERSIONS,
    "from": _VERSIONS,
    "to": _VERSIONS,
    "gpu": [g.id for g in _LATEST.gpus],
    "architecture": [a.id for a in _LATEST.architectures],
    "reranker": [r.id for r in _LATEST.rerankers],
    "vector_store": [v.id for v in _LATEST.vector_stores],
}

# Every id field of the contract takes 1 to at least 40 characters; replacing only strings in
# that range (with ids in that range) never turns a valid value into an invalid one or back.
_SWAPPABLE_LENGTH = range(1, 41)

_SCHEMA_MISMATCH = "the request does not match its schema"


def _swappable(name: str, value: Any) -> bool:
    return name in KNOWN_IDS and isinstance(value, str) and len(value) in _SWAPPABLE_LENGTH


def _with_known_ids(values: Any) -> st.SearchStrategy[Any]:
    """The same values, or the same values with every swappable id replaced by a known one."""
    if not isinstance(values, dict):
        return st.just(values)
    names = [name for name, value in values.items() if _swappable(name, value)]
    if not names:
        return st.just(values)
    replacements = st.fixed_dictionaries(
        {
            name: st.sampled_from([i for i in KNOWN_IDS[name] if len(i) in _SWAPPABLE_LENGTH])
            for name in names
        }
    )
    return st.one_of(st.just(values), replacements.map(lambda new: {**values, **new}))


@schemathesis.hook
def flatmap_body(context: Any, body: Any) -> st.SearchStrategy[Any]:
    """Estimate bodies name existing models, tables, GPUs and architectures most of the time."""
    return _with_known_ids(body)


@schemathesis.hook
def flatmap_path_parameters(context: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
    """Pricing paths name existing versions and models most of the time."""
    return _with_known_ids(path_parameters)


@schemathesis.hook
def flatmap_query(context: Any, query: Any) -> st.SearchStrategy[Any]:
    """Diff queries name existing versions most of the time."""
    return _with_known_ids(query)


@schemathesis.check
def schema_valid_request_is_decoded(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request the schema calls valid is never refused as malformed or schema-breaking.

    Business rules (an unknown model, parts above their totals) may still refuse it with a
    documented 404 or 422; what must not happen is the decoder disagreeing with the contract.
    """
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    refused_by_decoder = response.status_code == 400 or (
        response.status_code == 422 and _SCHEMA_MISMATCH in response.text
    )
    if refused_by_decoder:
        raise AssertionError(
            f"a request valid under openapi.yaml was refused by the decoder "
            f"({response.status_code}): {response.text[:300]}"
        )
    return None
