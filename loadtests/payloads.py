"""Request pools for load runs: realistic, varied, valid, and for usage, priced in advance.

Every pool is drawn from a seeded generator over the shipped tables, so two runs send the same
requests. Builders exist per operationId; :func:`operations` reads openapi.yaml, so a pool is only
built for an operation the contract holds, and :func:`schema_mismatch` says when a builder no
longer fits its operation's request schema (a renamed or new required field).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import yaml

from pricing.catalog import PricingTable
from pricing.entries import ChatModel
from pricing.errors import PricingError
from pricing.loader import load_catalog
from pricing.money import round_output
from pricing.usage import Usage, price_usage

SPEC = Path(__file__).resolve().parents[1] / "openapi.yaml"
DEFAULT_SEED = 20261203

Body = dict[str, Any]

#: operationId -> weight in the load mix: usage and inference estimates most, then prompt-only,
#: RAG and agent workloads, comparisons, and pricing reads. Only those in openapi.yaml are sent.
MIX_WEIGHTS = {
    "estimateUsageCost": 30,
    "estimateInference": 25,
    "estimatePrompting": 10,
    "estimateRag": 10,
    "estimateAgent": 8,
    "compareApproaches": 5,
    "getModel": 6,
    "listPricingVersions": 3,
    "getPricingTable": 3,
}


@dataclass(frozen=True)
class Operation:
    """One operation of openapi.yaml: where it lives and what its body must hold."""

    operation_id: str
    method: str
    path: str
    request_properties: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()


@dataclass
class PricedBody:
    """A usage request with the total the service must answer (priced here, in advance)."""

    body: Body
    total_usd: float = field(default=0.0)


def operations(spec_path: Path = SPEC) -> dict[str, Operation]:
    """Every operation of the contract by operationId."""
    spec = yaml.safe_load(spec_path.read_text())
    schemas = spec.get("components", {}).get("schemas", {})
    found = {}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            schema = _request_schema(operation, schemas)
            found[operation["operationId"]] = Operation(
                operation_id=operation["operationId"],
                method=method.upper(),
                path=path,
                request_properties=frozenset(schema.get("properties", {})),
                required=frozenset(schema.get("required", [])),
            )
    return found


def request_schema_name(operation: dict[str, Any]) -> str:
    """The component name of an operation's JSON request body ("" when it has none)."""
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    # A described body is written as allOf: [$ref] beside its description.
    ref = schema.get("$ref") or next(
        (part["$ref"] for part in schema.get("allOf", []) if "$ref" in part), ""
    )
    return ref.rsplit("/", 1)[-1]


def _request_schema(operation: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    return schemas.get(request_schema_name(operation), {})


def schema_mismatch(operation: Operation, bodies: list[Body]) -> str | None:
    """Why a builder's bodies do not fit the operation's request schema, or None when they do."""
    for body in bodies:
        unknown = set(body) - operation.request_properties
        if unknown:
            return f"fields not in the schema: {sorted(unknown)}"
        missing = operation.required - set(body)
        if missing:
            return f"required fields not sent: {sorted(missing)}"
    return None


class Pools:
    """Seeded builders of request bodies over one pricing table."""

    def __init__(self, table: PricingTable | None = None, seed: int = DEFAULT_SEED) -> None:
        self.table = table or load_catalog().latest
        self.rng = random.Random(seed)
        self.now = datetime.now(UTC)
        self.chat_models = [m for m in self.table.models if m.kind == "chat"]
        self.embedding_models = [m for m in self.table.models if m.kind == "embedding"]
        self.vector_store_ids = [store.id for store in self.table.vector_stores]
        self.reranker_ids = [reranker.id for reranker in self.table.rerankers]
        self.text_models = [m for m in self.chat_models if self._prices_text(m)]

    def _prices_text(self, model: ChatModel) -> bool:
        try:
            rates = model.rate_card("standard", self.now).rates
        except PricingError:
            return False
        return rates.input is not None and rates.output is not None

    def _model_id(self) -> str:
        return self.rng.choice(self.text_models).id

    def _tokens(self, low: int, high: int) -> int:
        # Log-uniform: most requests are small, some are long, as in real traffic.
        return round(low * (high / low) ** self.rng.random())

    def usage_bodies(self, count: int) -> list[PricedBody]:
        """``count`` estimateUsageCost bodies, each priced here (model, usage, tier vary)."""
        return list(self._priced_usages(count))

    def _priced_usages(self, count: int) -> Iterator[PricedBody]:
        produced = 0
        while produced < count:
            model = self.rng.choice(self.text_models)
            usage, tier = self._usage_shape(model)
            try:
                priced = price_usage(model, usage, service_tier=tier, at=self.now)
            except PricingError:
                continue  # e.g. a class this model does not price: not a valid request
            body: Body = {"model": model.id, "usage": msgspec.to_builtins(usage)}
            if tier != "standard":
                body["service_tier"] = tier
            produced += 1
            yield PricedBody(body=body, total_usd=float(round_output(priced.total_usd)))

    def _usage_shape(self, model: ChatModel) -> tuple[Usage, str]:
        input_tokens = self._tokens(50, 50_000)
        output_tokens = self._tokens(10, 4_000)
        cache_read = 0
        if self.rng.random() < 0.3:
            cache_read = int(input_tokens * self.rng.uniform(0.2, 0.9))
        usage = Usage(
            input_tokens=input_tokens, output_tokens=output_tokens, cache_read_tokens=cache_read
        )
        tiers = model.service_tiers()
        tier = self.rng.choice(tiers) if self.rng.random() < 0.2 else "standard"
        return usage, tier

    def inference_bodies(self, count: int) -> list[Body]:
        """estimateInference: a usage shape per request and a monthly or daily volume."""
        bodies = []
        for priced in self.usage_bodies(count):
            body = dict(priced.body)
            if self.rng.random() < 0.5:
                body["requests_per_month"] = self._tokens(1_000, 50_000_000)
            else:
                body["requests_per_day"] = self._tokens(100, 2_000_000)
            bodies.append(body)
        return bodies

    def prompting_bodies(self, count: int) -> list[Body]:
        """estimatePrompting: static prefix, variable part, output, volume, caching."""
        return [
            {
                "model": self._model_id(),
                "system_prompt_tokens": self._tokens(100, 6_000),
                "few_shot_examples": self.rng.randint(0, 20),
                "tokens_per_example": self._tokens(50, 400),
                "variable_input_tokens": self._tokens(20, 3_000),
                "output_tokens": self._tokens(20, 1_500),
                "requests_per_month": self._tokens(1_000, 10_000_000),
                "cache_hit_rate": round(self.rng.uniform(0, 0.95), 2),
            }
            for _ in range(count)
        ]

    def rag_bodies(self, count: int) -> list[Body]:
        """estimateRag: corpus, chunking, embedding, store, queries and generation."""
        bodies = []
        for _ in range(count):
            chunk = self.rng.choice([256, 512, 800, 1024])
            body: Body = {
                "model": self._model_id(),
                "documents": self._tokens(100, 1_000_000),
                "tokens_per_document": self._tokens(200, 20_000),
                "chunk_size_tokens": chunk,
                "chunk_overlap_tokens": chunk // 8,
                "queries_per_month": self._tokens(1_000, 5_000_000),
                "question_tokens": self._tokens(10, 200),
                "system_prompt_tokens": self._tokens(100, 1_500),
                "top_k": self.rng.randint(2, 10),
                "output_tokens": self._tokens(50, 800),
                "documents_preprocessed": self.rng.random() < 0.8,
            }
            if self.embedding_models:
                embedder = self.rng.choice(self.embedding_models)
                body["embedding_model"] = embedder.id
                if embedder.dimensions is None:  # the table does not say: the client chooses
                    body["embedding_dimensions"] = self.rng.choice([256, 1024, 1536])
            if self.vector_store_ids:
                body["vector_store"] = self.rng.choice(self.vector_store_ids)
            if self.reranker_ids and self.rng.random() < 0.5:
                body["reranker"] = self.rng.choice(self.reranker_ids)
                body["rerank_candidates"] = self.rng.choice([20, 50, 100, 200])
            bodies.append(body)
        return bodies

    def agent_bodies(self, count: int) -> list[Body]:
        """estimateAgent: steps, growth per step, retries, volume."""
        bodies = []
        for _ in range(count):
            steps = self.rng.randint(2, 30)
            bodies.append(
                {
                    "model": self._model_id(),
                    "initial_prompt_tokens": self._tokens(300, 8_000),
                    "growth_tokens_per_step": self._tokens(50, 2_000),
                    "output_tokens_per_step": self._tokens(30, 800),
                    "steps_per_task": steps,
                    "max_steps": steps + self.rng.randint(0, 10),
                    "max_retries": self.rng.randint(0, 3),
                    "failure_probability": round(self.rng.uniform(0, 0.4), 2),
                    "tasks_per_month": self._tokens(100, 1_000_000),
                    "prompt_caching": self.rng.random() < 0.5,
                }
            )
        return bodies

    def compare_bodies(self, count: int) -> list[Body]:
        """compareApproaches: one workload, the flowchart's inputs, all four approaches."""
        bodies = []
        for _ in range(count):
            examples = self._tokens(50, 200_000)
            bodies.append(
                {
                    "task_type": self.rng.choice(
                        ["classification", "generation", "style_transfer", "qa"]
                    ),
                    "requests_per_month": self._tokens(1_000, 5_000_000),
                    "instruction_tokens": self._tokens(200, 4_000),
                    "input_tokens": self._tokens(50, 2_000),
                    "output_tokens": self._tokens(20, 1_000),
                    "corpus_tokens": self._tokens(100_000, 100_000_000),
                    "flowchart": {
                        "needs_persistent_change": self.rng.random() < 0.5,
                        "data_fits_in_context": self.rng.random() < 0.5,
                        "example_count": examples,
                        "labeled_example_count": self.rng.randint(0, examples),
                        "needs_multistep_reasoning": self.rng.random() < 0.3,
                    },
                }
            )
        return bodies


#: operationId -> how to build its pool (POST bodies).
BODY_BUILDERS: dict[str, Callable[[Pools, int], list[Body]]] = {
    "estimateUsageCost": lambda pools, n: [p.body for p in pools.usage_bodies(n)],
    "estimateInference": Pools.inference_bodies,
    "estimatePrompting": Pools.prompting_bodies,
    "estimateRag": Pools.rag_bodies,
    "estimateAgent": Pools.agent_bodies,
    "compareApproaches": Pools.compare_bodies,
}


def encode(body: Body) -> bytes:
    """A body as JSON bytes."""
    return msgspec.json.encode(body)


__all__ = (
    "BODY_BUILDERS",
    "DEFAULT_SEED",
    "MIX_WEIGHTS",
    "Body",
    "Operation",
    "Pools",
    "PricedBody",
    "encode",
    "operations",
    "request_schema_name",
    "schema_mismatch",
)
