"""estimateServing: GPUs, replicas and dollars to serve an open-weight model yourself.

Per replica (``gpus_per_replica`` GPUs in tensor parallel, whose memory, bandwidth and FLOP/s
add up): the weights and the KV cache of the batch must fit in 90% of memory; a decode step reads
every weight and the batch's KV cache once (memory-bound, η of the bandwidth) unless the batch's
2·N FLOPs per token take longer; a prefill is compute-bound at MFU of the dense BF16 peak.

Replicas follow capacity-anchors §3.5, evaluated at the largest batch B a replica may run
(memory, latency target and engine cap):

- W = prefill + output × step(B): the mean time a request is in flight at that batch, an upper
  bound for any lighter load, so Little's law λ·W / (B·ρ) is safe;
- the GPU-time balance: a request holds the whole replica for its prefill and 1/B of each
  decode step, so a replica serves at most λ_r_max = ρ·B / (B·prefill + output·step(B))
  requests per second;
- replicas = ceil(max(λ·W / (B·ρ), λ / λ_r_max)).

Means only: p95 latency needs a queueing model, which this estimate does not claim.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

from pricing import capacity
from pricing.capacity import BYTES_PER_GB, BYTES_PER_VALUE, MemorySize, Precision, memory_size
from pricing.catalog import Catalog, ModelMatch
from pricing.entries import Architecture, Gpu
from pricing.errors import InvalidInput
from pricing.estimators.common import (
    HOURS_PER_MONTH,
    MIN_EFFICIENCY,
    MIN_REQUESTS_PER_DAY,
    MIN_REQUESTS_PER_MONTH,
    MIN_REQUESTS_PER_SECOND,
    ModelRequest,
    PricingContext,
    Uncertainty,
    WorkloadEstimate,
    echo_default,
    to_decimal,
    totals,
    unused_service_tier,
)
from pricing.estimators.hardware import (
    ArchitectureField,
    ArchitectureSummary,
    GpuField,
    GpuProvider,
    GpuSku,
    SelectedGpu,
    UsdPerGpuHour,
    architecture_from,
    architecture_summary,
    gpu_from,
    gpus,
)
from pricing.estimators.workload import (
    Scale,
    monthly_range,
    notices,
    pick_model,
    priced_line,
    range_notice,
)
from pricing.results import LineItem, Notice
from pricing.usage import TokenBreakdown

DEFAULT_PRECISION: Precision = "bf16"
DEFAULT_BANDWIDTH_EFFICIENCY = Decimal("0.8")
DEFAULT_MFU = Decimal("0.5")
DEFAULT_TARGET_UTILIZATION = Decimal("0.8")
DEFAULT_MAX_BATCH = 256
DEFAULT_GPUS_PER_REPLICA = 1
MAX_GPUS_PER_REPLICA = 64
SECONDS_PER_MONTH = HOURS_PER_MONTH * capacity.SECONDS_PER_HOUR
SECONDS_PER_DAY = 86_400
MS_PER_SECOND = 1000
ONE_MILLION = Decimal(10**6)

_Tokens = Annotated[int, Meta(ge=1, le=10_000_000)]


class ServingWorkload(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The traffic to serve: a rate (one of three units), request shape and latency targets."""

    requests_per_second: (
        Annotated[
            float,
            Meta(ge=MIN_REQUESTS_PER_SECOND, le=10_000_000, description="Mean arrival rate λ."),
        ]
        | None
    ) = None
    requests_per_day: (
        Annotated[
            float,
            Meta(
                ge=MIN_REQUESTS_PER_DAY,
                le=1e12,
                description="Or requests per day (λ = day / 86,400).",
            ),
        ]
        | None
    ) = None
    requests_per_month: (
        Annotated[
            float,
            Meta(
                ge=MIN_REQUESTS_PER_MONTH,
                le=1e13,
                description="Or requests per month of 730 hours.",
            ),
        ]
        | None
    ) = None
    prompt_tokens: Annotated[_Tokens, Meta(description="Prompt tokens per request.")]
    output_tokens: Annotated[_Tokens, Meta(description="Generated tokens per request.")]
    max_latency_s: (
        Annotated[
            float,
            Meta(
                gt=0,
                le=86_400,
                description="Target mean end-to-end seconds per request; caps the batch.",
            ),
        ]
        | None
    ) = None
    max_ms_per_output_token: (
        Annotated[
            float,
            Meta(
                gt=0,
                le=1_000_000,
                description="Target mean time per output token; caps the batch.",
            ),
        ]
        | None
    ) = None


class ServingRequest(ModelRequest, kw_only=True, forbid_unknown_fields=True):
    """Self-hosted serving of an open-weight model; `model` or `rates` adds the API's cost."""

    architecture: ArchitectureField
    precision: Annotated[
        Precision | None,
        Meta(description="Weight precision: fp32 4, bf16/fp16 2, fp8/int8 1, int4 0.5 bytes."),
    ] = None
    kv_cache_precision: Annotated[
        Precision | None, Meta(description="KV-cache precision (default: the weights').")
    ] = None
    gpu: GpuField
    gpu_provider: GpuProvider = None
    gpu_sku: GpuSku = None
    usd_per_gpu_hour: UsdPerGpuHour = None
    gpus_per_replica: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_GPUS_PER_REPLICA,
            description=(
                "GPUs per replica in tensor parallel (default 1): memory, bandwidth and FLOP/s "
                "add up over them."
            ),
        ),
    ] = DEFAULT_GPUS_PER_REPLICA
    workload: Annotated[ServingWorkload, Meta(description="The traffic to serve.")]
    bandwidth_efficiency: Annotated[
        float,
        Meta(
            ge=MIN_EFFICIENCY,
            le=1,
            description="η, achieved share of memory bandwidth (default 0.8).",
        ),
    ] = 0.8
    mfu: Annotated[
        float,
        Meta(
            ge=MIN_EFFICIENCY,
            le=1,
            description="Achieved share of dense BF16 FLOP/s (default 0.5).",
        ),
    ] = 0.5
    target_utilization: Annotated[
        float,
        Meta(
            ge=MIN_EFFICIENCY,
            le=1,
            description="ρ, planned share of each replica's batch and GPU time (default 0.8).",
        ),
    ] = 0.8
    max_batch_size: Annotated[
        int,
        Meta(ge=1, le=1_000_000, description="The engine's cap on sequences (default 256)."),
    ] = DEFAULT_MAX_BATCH
    max_concurrency_per_replica: (
        Annotated[
            int,
            Meta(
                ge=1,
                le=1_000_000,
                description=(
                    "B_max measured on your engine, instead of the computed one; still capped "
                    "by the latency targets and max_batch_size (with a warning)."
                ),
            ),
        ]
        | None
    ) = None
    mean_latency_s: (
        Annotated[
            float,
            Meta(gt=0, le=86_400, description="W measured on your engine, instead of computed."),
        ]
        | None
    ) = None
    uncertainty: Annotated[
        Uncertainty | None,
        Meta(
            description=(
                "Multipliers on the request rate (volume) and on prompt and output tokens "
                "(tokens); the answer then carries `range`: the monthly GPU cost re-sized at "
                "both low and at both high multipliers (measured concurrency and latency held)."
            )
        ),
    ] = None


class ApiComparison(msgspec.Struct, kw_only=True):
    """The same workload on a provider's API."""

    model: Annotated[ModelMatch, Meta(description="The API model priced.")]
    monthly_usd: Annotated[Decimal, Meta(description="API spend per month, USD.")]
    usd_per_1m_output_tokens: Annotated[
        Decimal, Meta(description="API spend per 1M output tokens (input included), USD.")
    ]
    line_items: Annotated[list[LineItem], Meta(description="The API's priced token classes.")]


class ServingEstimate(WorkloadEstimate, kw_only=True):
    """GPUs, replicas and cost of serving a workload on self-hosted GPUs."""

    architecture: Annotated[ArchitectureSummary, Meta(description="The model served.")]
    gpu: Annotated[SelectedGpu, Meta(description="The GPU and its price.")]
    precision: Annotated[str, Meta(description="Weight precision.")]
    kv_cache_precision: Annotated[str, Meta(description="KV-cache precision.")]
    gpus_per_replica: Annotated[int, Meta(description="Tensor-parallel GPUs per replica.")]
    weights: Annotated[MemorySize, Meta(description="Weights of one replica.")]
    kv_cache_bytes_per_token: Annotated[
        Decimal, Meta(description="2 × layers × KV heads × head_dim × bytes.")
    ]
    kv_cache_per_sequence: Annotated[
        MemorySize, Meta(description="KV cache of prompt + output tokens.")
    ]
    replica_memory: Annotated[MemorySize, Meta(description="Memory of one replica's GPUs.")]
    usable_memory: Annotated[MemorySize, Meta(description="90% of replica_memory.")]
    kv_cache_budget: Annotated[MemorySize, Meta(description="usable_memory − weights.")]
    max_batch_by_memory: Annotated[
        int, Meta(description="Sequences whose prompt + output KV cache fits.")
    ]
    max_batch_by_latency: Annotated[
        int | None, Meta(description="Largest batch meeting the latency targets, if given.")
    ] = None
    max_batch_size: Annotated[int, Meta(description="The engine's cap on sequences.")]
    max_concurrency_per_replica: Annotated[
        int, Meta(description="B_max: the batch a replica runs at full load.")
    ]
    prefill_seconds: Annotated[Decimal, Meta(description="2·N·prompt / (FLOP/s × MFU).")]
    ms_per_output_token_at_batch_1: Annotated[
        Decimal, Meta(description="Decode step with one sequence, ms.")
    ]
    ms_per_output_token: Annotated[Decimal, Meta(description="Decode step at B_max, ms.")]
    mean_latency_seconds: Annotated[
        Decimal, Meta(description="W: prefill + output × step at B_max, or as given.")
    ]
    output_tokens_per_second_per_replica: Annotated[
        Decimal, Meta(description="B_max / decode step: decode throughput at full batch.")
    ]
    requests_per_second: Annotated[Decimal, Meta(description="λ, mean arrival rate.")]
    concurrency: Annotated[Decimal, Meta(description="Little's law: λ × W requests in flight.")]
    max_requests_per_second_per_replica: Annotated[
        Decimal, Meta(description="λ_r_max from the GPU-time balance at ρ.")
    ]
    replicas_by_concurrency: Annotated[Decimal, Meta(description="λ·W / (B_max·ρ), unrounded.")]
    replicas_by_gpu_time: Annotated[Decimal, Meta(description="λ / λ_r_max, unrounded.")]
    replicas: Annotated[int, Meta(description="Replicas to run: the larger bound, rounded up.")]
    gpus: Annotated[int, Meta(description="replicas × gpus_per_replica.")]
    gpu_time_utilization: Annotated[
        Decimal, Meta(description="Share of GPU time busy at full batch with these replicas.")
    ]
    usd_per_hour: Annotated[Decimal, Meta(description="GPUs × price per GPU-hour, USD.")]
    usd_per_1m_output_tokens: Annotated[
        Decimal, Meta(description="Self-hosted cost per 1M output tokens, USD.")
    ]
    api_comparison: Annotated[
        ApiComparison | None, Meta(description="The same workload on the API model, if named.")
    ] = None


class _Replica(msgspec.Struct, frozen=True, kw_only=True):
    """One replica's figures: weights, KV cache, bandwidth and compute of its GPUs together."""

    parameters: int
    weight_bytes: Decimal
    kv_bytes_per_token: Decimal
    usable_bytes: Decimal
    bandwidth_gb_per_s: Decimal
    dense_tflops: Decimal
    bandwidth_efficiency: Decimal
    mfu: Decimal
    prompt_tokens: Decimal
    output_tokens: Decimal

    @property
    def context_tokens(self) -> Decimal:
        """Mean context of a decoding sequence: the prompt and half the output."""
        return self.prompt_tokens + Decimal(self.output_tokens) / 2

    def step_seconds(self, batch: int) -> Decimal:
        """One decode step: memory-bound, unless the batch's FLOPs take longer."""
        memory_bound = capacity.decode_seconds_per_token(
            self.weight_bytes,
            batch,
            self.context_tokens,
            self.kv_bytes_per_token,
            self.bandwidth_gb_per_s,
            self.bandwidth_efficiency,
        )
        compute_bound = capacity.compute_seconds(
            2 * self.parameters * batch, self.dense_tflops, self.mfu
        )
        return max(memory_bound, compute_bound)

    def prefill_seconds(self) -> Decimal:
        """Compute-bound prefill of one prompt."""
        return capacity.prefill_seconds(
            self.parameters, self.prompt_tokens, self.dense_tflops, self.mfu
        )

    def latency_seconds(self, batch: int) -> Decimal:
        """Mean end-to-end time of a request decoded in a batch of ``batch``."""
        return self.prefill_seconds() + self.output_tokens * self.step_seconds(batch)

    def largest_batch_for_step(self, step_seconds: Decimal) -> int:
        """The largest batch whose decode step takes at most ``step_seconds`` (may be 0)."""
        bytes_per_step = step_seconds * self.bandwidth_gb_per_s * BYTES_PER_GB
        by_memory = (bytes_per_step * self.bandwidth_efficiency - self.weight_bytes) / (
            self.context_tokens * self.kv_bytes_per_token
        )
        flops_per_step = step_seconds * self.dense_tflops * 10**12 * self.mfu
        by_compute = flops_per_step / (2 * self.parameters)
        largest = min(by_memory, by_compute).to_integral_value(rounding=ROUND_FLOOR)
        return max(0, int(largest))

    def max_requests_per_second(self, batch: int, target_utilization: Decimal) -> Decimal:
        """λ_r_max: each request holds the replica for its prefill and 1/B of each step."""
        gpu_seconds_per_request = (
            self.prefill_seconds() + self.output_tokens * self.step_seconds(batch) / batch
        )
        return target_utilization / gpu_seconds_per_request


def estimate_serving(catalog: Catalog, request: ServingRequest) -> ServingEstimate:
    """Size and price self-hosted serving of a workload.

    Raises:
        NotFound: Unknown table version, architecture, GPU, offer or API model.
        InvalidInput: The model or one sequence does not fit a replica, a latency target cannot
            be met, or the rate is given in more or fewer than one unit.
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    arch = architecture_from(context, request.architecture)
    gpu, selected = gpu_from(
        context, request.gpu, request.gpu_provider, request.gpu_sku, request.usd_per_gpu_hour
    )
    workload = request.workload
    arrival_rate = _arrival_rate(context, workload)
    warnings: list[Notice] = []
    plan = _plan(context, request, arch, gpu, selected.usd_per_hour, warnings)
    _check_context(arch, workload, warnings)
    _assume_serving_conventions(context)

    prompt, output = Decimal(workload.prompt_tokens), Decimal(workload.output_tokens)
    sizing = plan.size(arrival_rate, prompt, output, warnings)
    replica, batch = sizing.replica, sizing.batch
    item = sizing.line_item()
    one_time, monthly, first_year = totals([item])
    comparison = _api_comparison(context, request, arrival_rate)
    if comparison is None:
        warnings += notices(
            unused_service_tier(context, request.service_tier, "self-hosted GPU-hours")
        )
    spread = monthly_range(
        context,
        request.uncertainty,
        lambda scale: plan.monthly_at(arrival_rate, prompt, output, scale),
        monthly,
    )
    warnings += notices(range_notice(spread))
    step = replica.step_seconds(batch)
    output_tokens_per_hour = arrival_rate * capacity.SECONDS_PER_HOUR * workload.output_tokens
    return ServingEstimate(
        pricing_version=context.table.version,
        model=comparison.model if comparison else None,
        line_items=[item],
        assumptions=context.assumptions,
        warnings=warnings,
        one_time_usd=one_time,
        monthly_usd=monthly,
        first_year_usd=first_year,
        range=spread,
        architecture=architecture_summary(arch),
        gpu=selected,
        precision=plan.precision,
        kv_cache_precision=plan.kv_precision,
        gpus_per_replica=plan.tp,
        weights=memory_size(replica.weight_bytes),
        kv_cache_bytes_per_token=replica.kv_bytes_per_token,
        kv_cache_per_sequence=memory_size((prompt + output) * replica.kv_bytes_per_token),
        replica_memory=memory_size(plan.tp * gpu.memory_gb * BYTES_PER_GB),
        usable_memory=memory_size(replica.usable_bytes),
        kv_cache_budget=memory_size(replica.usable_bytes - replica.weight_bytes),
        max_batch_by_memory=sizing.by_memory,
        max_batch_by_latency=sizing.by_latency,
        max_batch_size=plan.engine_cap,
        max_concurrency_per_replica=batch,
        prefill_seconds=replica.prefill_seconds(),
        ms_per_output_token_at_batch_1=replica.step_seconds(1) * MS_PER_SECOND,
        ms_per_output_token=step * MS_PER_SECOND,
        mean_latency_seconds=sizing.latency,
        output_tokens_per_second_per_replica=batch / step,
        requests_per_second=arrival_rate,
        concurrency=arrival_rate * sizing.latency,
        max_requests_per_second_per_replica=sizing.max_rate,
        replicas_by_concurrency=arrival_rate * sizing.latency / (batch * plan.utilization),
        replicas_by_gpu_time=arrival_rate / sizing.max_rate,
        replicas=sizing.replicas,
        gpus=sizing.gpus,
        gpu_time_utilization=arrival_rate / sizing.max_rate * plan.utilization / sizing.replicas,
        usd_per_hour=sizing.usd_per_hour,
        usd_per_1m_output_tokens=sizing.usd_per_hour / output_tokens_per_hour * ONE_MILLION,
        api_comparison=comparison,
    )


class _Sizing(msgspec.Struct, frozen=True, kw_only=True):
    """Replicas for one arrival rate and request shape."""

    replica: _Replica
    by_memory: int
    by_latency: int | None
    batch: int
    latency: Decimal
    max_rate: Decimal
    replicas: int
    gpus: int
    usd_per_gpu_hour: Decimal

    @property
    def usd_per_hour(self) -> Decimal:
        """Every GPU of every replica, per hour."""
        return self.gpus * self.usd_per_gpu_hour

    def line_item(self) -> LineItem:
        """The month's GPU-hours."""
        return priced_line(
            "gpu_hours",
            self.gpus * HOURS_PER_MONTH,
            "gpu_hours",
            self.usd_per_gpu_hour,
            "usd_per_gpu_hour",
        )


class _Plan(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a sizing holds fixed, every default applied: hardware, precisions, targets."""

    arch: Architecture
    gpu: Gpu
    usd_per_gpu_hour: Decimal
    precision: str
    kv_precision: str
    tp: int
    bandwidth_efficiency: Decimal
    mfu: Decimal
    utilization: Decimal
    engine_cap: int
    measured_batch: int | None
    measured_latency: Decimal | None
    max_latency_s: Decimal | None
    max_step_seconds: Decimal | None

    def replica(self, prompt_tokens: Decimal, output_tokens: Decimal) -> _Replica:
        """One replica serving requests of this shape."""
        return _Replica(
            parameters=self.arch.parameters,
            weight_bytes=self.arch.parameters * BYTES_PER_VALUE[self.precision],
            kv_bytes_per_token=capacity.kv_cache_bytes_per_token(
                self.arch, BYTES_PER_VALUE[self.kv_precision]
            ),
            usable_bytes=capacity.usable_bytes(self.tp * self.gpu.memory_gb),
            bandwidth_gb_per_s=self.tp * self.gpu.bandwidth_gb_per_s,
            dense_tflops=self.tp * self.gpu.dense_bf16_tflops,
            bandwidth_efficiency=self.bandwidth_efficiency,
            mfu=self.mfu,
            prompt_tokens=prompt_tokens,
            output_tokens=output_tokens,
        )

    def size(
        self,
        arrival_rate: Decimal,
        prompt_tokens: Decimal,
        output_tokens: Decimal,
        warnings: list[Notice],
    ) -> _Sizing:
        """Batch, latency and replicas for a rate and request shape.

        Raises:
            InvalidInput: The weights or one sequence do not fit, or a latency target cannot
                be met even with one sequence per replica.
        """
        replica = self.replica(prompt_tokens, output_tokens)
        by_memory = _batch_by_memory(replica, prompt_tokens + output_tokens, self.tp)
        by_latency = _batch_by_latency(replica, self.max_step_seconds, self.max_latency_s)
        batch = self._batch(replica, by_memory, by_latency, warnings)
        latency = self.measured_latency
        if latency is None:
            latency = replica.latency_seconds(batch)
        elif self.max_latency_s is not None and latency > self.max_latency_s:
            warnings.append(_measured_latency_breaks_target(latency, self.max_latency_s))
        max_rate = replica.max_requests_per_second(batch, self.utilization)
        replicas = capacity.replicas_needed(
            arrival_rate, latency, batch, self.utilization, max_rate
        )
        return _Sizing(
            replica=replica,
            by_memory=by_memory,
            by_latency=by_latency,
            batch=batch,
            latency=latency,
            max_rate=max_rate,
            replicas=replicas,
            gpus=replicas * self.tp,
            usd_per_gpu_hour=self.usd_per_gpu_hour,
        )

    def monthly_at(
        self, arrival_rate: Decimal, prompt_tokens: Decimal, output_tokens: Decimal, scale: Scale
    ) -> Decimal:
        """The monthly GPU cost re-sized at a scale (rate × volume, tokens × tokens).

        Raises:
            InvalidInput: The workload cannot be served at that scale (reported at the bound).
        """
        try:
            sizing = self.size(
                arrival_rate * scale.volume,
                scale.of(prompt_tokens),
                scale.of(output_tokens),
                warnings=[],
            )
        except InvalidInput as error:
            bound = "high" if scale.tokens > 1 else "low"
            raise InvalidInput(
                f"$.uncertainty.tokens.{bound}",
                f"at tokens × {scale.tokens} the workload cannot be served: {error.reason}",
            ) from None
        return sizing.line_item().cost_usd

    def _batch(
        self,
        replica: _Replica,
        by_memory: int,
        by_latency: int | None,
        warnings: list[Notice],
    ) -> int:
        # B_max: the computed batch, or the measured one capped by the latency targets and the
        # engine's cap. A measured batch above the full-length KV bound is kept (engines page
        # the cache and most sequences are shorter than prompt + output), with a warning.
        given = self.measured_batch
        if given is None:
            return min(by_memory, self.engine_cap, by_latency or by_memory)

        batch = given
        if given > by_memory:
            warnings.append(_beyond_kv_cache(given, by_memory))
        if by_latency is not None and given > by_latency:
            warnings.append(self._breaks_latency(replica, given, by_latency))
            batch = by_latency
        if batch > self.engine_cap:
            warnings.append(_beyond_engine_cap(batch, self.engine_cap))
            batch = self.engine_cap
        return batch

    def _breaks_latency(self, replica: _Replica, given: int, by_latency: int) -> Notice:
        broken = []
        step = replica.step_seconds(given)
        if self.max_step_seconds is not None and step > self.max_step_seconds:
            broken.append(
                f"max_ms_per_output_token {_figure(self.max_step_seconds * MS_PER_SECOND)} "
                f"({step * MS_PER_SECOND:.2f} ms per output token at that batch)"
            )
        latency = replica.latency_seconds(given)
        if self.max_latency_s is not None and latency > self.max_latency_s:
            broken.append(
                f"max_latency_s {_figure(self.max_latency_s)} ({latency:.2f} s per request)"
            )
        return Notice(
            code="concurrency_breaks_latency_target",
            message=(
                f"max_concurrency_per_replica {given} breaks {' and '.join(broken)}: planned "
                f"at {by_latency}, the largest batch that meets the latency targets"
            ),
        )


def _beyond_kv_cache(given: int, by_memory: int) -> Notice:
    return Notice(
        code="concurrency_beyond_kv_cache",
        message=(
            f"max_concurrency_per_replica {given} is above the {by_memory} sequences whose full "
            "prompt + output KV cache fits; that holds only if most sequences are shorter or "
            "the engine preempts"
        ),
    )


def _beyond_engine_cap(batch: int, engine_cap: int) -> Notice:
    return Notice(
        code="concurrency_beyond_max_batch_size",
        message=(
            f"max_concurrency_per_replica {batch} is above max_batch_size {engine_cap}, the "
            f"engine's cap on sequences: planned at {engine_cap}; give max_batch_size if your "
            "engine runs more"
        ),
    )


def _measured_latency_breaks_target(latency: Decimal, target: Decimal) -> Notice:
    return Notice(
        code="measured_latency_breaks_target",
        message=(
            f"the measured mean_latency_s {_figure(latency)} is above the max_latency_s target "
            f"{_figure(target)}: "
            "the plan sizes replicas for the measured latency, which misses the target; lower "
            "the concurrency or pick a faster setup"
        ),
    )


def _plan(
    context: PricingContext,
    request: ServingRequest,
    arch: Architecture,
    gpu: Gpu,
    usd_per_gpu_hour: Decimal,
    warnings: list[Notice],
) -> _Plan:
    precision, kv_precision, tp = _precisions_and_parallelism(context, request, arch, warnings)
    echo_default(
        context,
        "bandwidth_efficiency",
        to_decimal(request.bandwidth_efficiency),
        DEFAULT_BANDWIDTH_EFFICIENCY,
        "η: achieved share of memory bandwidth in decode (0.8-0.9 is the norm)",
    )
    echo_default(
        context,
        "mfu",
        to_decimal(request.mfu),
        DEFAULT_MFU,
        "achieved share of dense BF16 FLOP/s in prefill",
    )
    echo_default(
        context,
        "max_batch_size",
        request.max_batch_size,
        DEFAULT_MAX_BATCH,
        "the engine's cap (vLLM's max_num_seqs)",
    )
    echo_default(
        context,
        "target_utilization",
        to_decimal(request.target_utilization),
        DEFAULT_TARGET_UTILIZATION,
        "ρ: share of each replica's batch and GPU time planned for",
    )
    workload = request.workload
    return _Plan(
        arch=arch,
        gpu=gpu,
        usd_per_gpu_hour=usd_per_gpu_hour,
        precision=precision,
        kv_precision=kv_precision,
        tp=tp,
        bandwidth_efficiency=to_decimal(request.bandwidth_efficiency),
        mfu=to_decimal(request.mfu),
        utilization=to_decimal(request.target_utilization),
        engine_cap=request.max_batch_size,
        measured_batch=request.max_concurrency_per_replica,
        measured_latency=_optional_decimal(request.mean_latency_s),
        max_latency_s=_optional_decimal(workload.max_latency_s),
        max_step_seconds=(
            None
            if workload.max_ms_per_output_token is None
            else to_decimal(workload.max_ms_per_output_token) / MS_PER_SECOND
        ),
    )


def _figure(value: Decimal) -> str:
    # A request's number as a person writes it: 10, not 10.00 or 1E+1.
    return f"{float(value):g}"


def _optional_decimal(value: float | None) -> Decimal | None:
    return None if value is None else to_decimal(value)


def _arrival_rate(context: PricingContext, workload: ServingWorkload) -> Decimal:
    rates = {
        "requests_per_second": workload.requests_per_second,
        "requests_per_day": workload.requests_per_day,
        "requests_per_month": workload.requests_per_month,
    }
    given = {name: value for name, value in rates.items() if value is not None}
    if len(given) != 1:
        raise InvalidInput(
            "$.workload.requests_per_second",
            "give the rate in exactly one of requests_per_second, requests_per_day and "
            "requests_per_month",
        )
    name, value = given.popitem()
    rate = to_decimal(value)
    if name == "requests_per_day":
        context.assume("seconds_per_day", SECONDS_PER_DAY, "λ = requests_per_day / 86,400")
        return rate / SECONDS_PER_DAY
    if name == "requests_per_month":
        context.assume(
            "seconds_per_month", SECONDS_PER_MONTH, "a month is 730 hours: λ = month / 2,628,000"
        )
        return rate / SECONDS_PER_MONTH
    return rate


def _precisions_and_parallelism(
    context: PricingContext, request: ServingRequest, arch: Architecture, warnings: list[Notice]
) -> tuple[str, str, int]:
    precision = request.precision
    if precision is None:
        precision = DEFAULT_PRECISION
        context.assume("precision", precision, "2 bytes per weight")
    kv_precision = request.kv_cache_precision
    if kv_precision is None:
        kv_precision = precision
        context.assume("kv_cache_precision", kv_precision, "the weights' precision")
    tp = request.gpus_per_replica
    echo_default(context, "gpus_per_replica", tp, DEFAULT_GPUS_PER_REPLICA, "no tensor parallelism")
    if arch.kv_heads % tp or arch.attention_heads % tp:
        warnings.append(
            Notice(
                code="heads_not_divisible",
                message=(
                    f"{arch.attention_heads} attention and {arch.kv_heads} KV heads do not split "
                    f"evenly over {gpus(tp)}; engines refuse or replicate heads"
                ),
            )
        )
    return precision, kv_precision, tp


def _check_context(arch: Architecture, workload: ServingWorkload, warnings: list[Notice]) -> None:
    tokens = workload.prompt_tokens + workload.output_tokens
    if arch.context_length and tokens > arch.context_length:
        warnings.append(
            Notice(
                code="sequence_beyond_context",
                message=(
                    f"prompt + output = {tokens} tokens exceed {arch.name}'s "
                    f"{arch.context_length}-token context"
                ),
            )
        )


def _batch_by_memory(replica: _Replica, sequence_tokens: Decimal, tp: int) -> int:
    batch = capacity.max_batch_in_memory(
        replica.weight_bytes, sequence_tokens, replica.kv_bytes_per_token, replica.usable_bytes
    )
    if batch >= 1:
        return batch

    usable = memory_size(replica.usable_bytes)
    if replica.weight_bytes >= replica.usable_bytes:
        weights = memory_size(replica.weight_bytes)
        missing = memory_size(replica.weight_bytes - replica.usable_bytes)
        reason = (
            f"the weights take {weights.gb:.2f} GB ({weights.gib:.2f} GiB) but only "
            f"{usable.gb:.2f} GB are usable on {gpus(tp)}: {missing.gb:.2f} GB "
            f"({missing.gib:.2f} GiB) missing; raise gpus_per_replica or lower the precision"
        )
    else:
        needed = sequence_tokens * replica.kv_bytes_per_token
        room = replica.usable_bytes - replica.weight_bytes
        missing = memory_size(needed - room)
        reason = (
            f"one sequence's KV cache ({memory_size(needed).gb:.2f} GB) does not fit in the "
            f"{memory_size(room).gb:.2f} GB left beside the weights: {missing.gb:.2f} GB "
            f"({missing.gib:.2f} GiB) missing; raise gpus_per_replica or lower the precision"
        )
    raise InvalidInput("$.gpu", reason)


def _batch_by_latency(
    replica: _Replica, max_step_seconds: Decimal | None, max_latency_s: Decimal | None
) -> int | None:
    # Step-time limit -> the target field that sets it, so a refusal names that field.
    limits: list[tuple[Decimal, str]] = []
    if max_step_seconds is not None:
        limits.append((max_step_seconds, "$.workload.max_ms_per_output_token"))
    if max_latency_s is not None:
        decode_budget = max_latency_s - replica.prefill_seconds()
        if decode_budget <= 0:
            raise InvalidInput(
                "$.workload.max_latency_s",
                f"the prefill alone takes {replica.prefill_seconds():.3f} s, beyond the target",
            )
        limits.append((decode_budget / replica.output_tokens, "$.workload.max_latency_s"))
    if not limits:
        return None

    step_limit, binding = min(limits, key=lambda limit: limit[0])
    batch = replica.largest_batch_for_step(step_limit)
    if batch < 1:
        raise InvalidInput(
            binding,
            f"the latency targets cannot be met even with one sequence per replica: "
            f"{replica.step_seconds(1) * MS_PER_SECOND:.2f} ms per output token and "
            f"{replica.latency_seconds(1):.3f} s per request; raise gpus_per_replica, lower "
            "the precision or pick a faster GPU",
        )
    return batch


def _assume_serving_conventions(context: PricingContext) -> None:
    context.assume(
        "usable_memory_share",
        capacity.USABLE_MEMORY_SHARE,
        "of each replica's memory (decimal GB) for weights and KV cache",
    )
    context.assume(
        "context_per_sequence", "prompt + output / 2", "mean context while decoding (KV read)"
    )
    context.assume(
        "kv_cache_reserved_per_sequence", "prompt + output", "full length, for the batch that fits"
    )
    context.assume(
        "decode_step",
        "max(weights + batch × context × KV bytes over bandwidth × η, 2·N·batch over FLOP/s × MFU)",
    )
    context.assume(
        "prefill_flops", "2·N·prompt at dense BF16 FLOP/s × MFU", "whatever the weight precision"
    )
    context.assume(
        "replicas",
        "ceil(max(λ·W / (B_max·ρ), λ / λ_r_max))",
        "Little's law and the GPU-time balance at B_max (capacity-anchors §3.5); means, not p95",
    )
    context.assume("hours_per_month", HOURS_PER_MONTH, "GPUs are rented around the clock")


def _api_comparison(
    context: PricingContext, request: ServingRequest, arrival_rate: Decimal
) -> ApiComparison | None:
    if request.model is None and request.rates is None:
        return None
    priced = pick_model(context, request.model, request.rates, request.service_tier)
    workload = request.workload
    requests_per_month = arrival_rate * SECONDS_PER_MONTH
    items = priced.price(
        TokenBreakdown(input=workload.prompt_tokens, output=workload.output_tokens),
        input_tokens=Decimal(workload.prompt_tokens),
        requests=requests_per_month,
        label="api_",
    )
    monthly_usd = sum((item.cost_usd for item in items), Decimal(0))
    output_tokens = requests_per_month * workload.output_tokens
    return ApiComparison(
        model=priced.match,
        monthly_usd=monthly_usd,
        usd_per_1m_output_tokens=monthly_usd / output_tokens * ONE_MILLION,
        line_items=items,
    )
