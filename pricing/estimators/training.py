"""estimateTraining: fine-tuning on a provider's API, or on self-hosted GPUs.

``mode: api`` bills trained tokens (or examples) at the provider's fine-tuning rate, adds hourly
hosting and retraining as monthly lines and prices a monthly inference volume at the fine-tuned
model's rates (DESIGN §4.3, spend-models §5). ``mode: self_hosted`` counts executed FLOPs,
GPU-hours, memory and the smallest GPU count that fits (capacity-anchors §1.3-§1.5).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from pricing import capacity
from pricing.capacity import LoraModule, MemorySize, TrainingMethod, memory_size
from pricing.catalog import Catalog, ModelMatch
from pricing.entries import Architecture, ChatModel, FineTune
from pricing.errors import InvalidInput
from pricing.estimators.common import (
    HOURS_PER_MONTH,
    MIN_EFFICIENCY,
    MONTHS_PER_YEAR,
    EstimateRequest,
    ModelId,
    PricingContext,
    Range,
    Uncertainty,
    WorkloadEstimate,
    assume_service_tier,
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
    EXPECTED,
    RequestsPerDay,
    RequestsPerMonth,
    Scale,
    monthly_range,
    monthly_volume,
    notices,
    priced_line,
    range_notice,
    scaled_breakdown,
)
from pricing.money import per_million
from pricing.results import LineItem, Notice
from pricing.usage import CONVENTION, USAGE_FIELDS, Usage, breakdown, price_tokens

DEFAULT_EPOCHS = 3
MIN_EPOCH_EXAMPLES = 100
MAX_EPOCH_EXAMPLES = 25_000
MAX_DEFAULT_EPOCHS = 25
RED_FLAG_EXAMPLES = 1_000
DEFAULT_EFFICIENCY = Decimal("0.40")
DEFAULT_LORA_RANK = 8
DEFAULT_TARGET_MODULES: tuple[LoraModule, ...] = ("q_proj", "v_proj")
DEFAULT_MICRO_BATCH = 1
PER_1K_EXAMPLES = "usd_per_1k_examples"

#: The most examples, and tokens per example, a provider fine-tuning request takes.
MAX_EXAMPLES = 1_000_000_000
MAX_TOKENS_PER_EXAMPLE = 10_000_000
Examples = Annotated[
    int, Meta(ge=1, le=MAX_EXAMPLES, description="Training examples in the dataset.")
]
Epochs = Annotated[
    int,
    Meta(
        ge=1,
        le=100,
        description=(
            "Passes over the dataset. Default: 3; with fewer than 34 examples "
            "min(25, ⌊100/examples⌋); with more than 8,333 max(1, ⌊25,000/examples⌋)."
        ),
    ),
]
RetrainsPerYear = Annotated[
    int,
    Meta(
        ge=0,
        le=365,
        description=(
            "Retraining runs per year after the first; each year's retraining cost is spread "
            "as a monthly line (training × retrains / 12). The first run is the one-time cost."
        ),
    ),
]


class FineTunedInference(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A monthly inference volume on the fine-tuned model."""

    usage: Annotated[Usage, Meta(description=f"One request's tokens. {CONVENTION}.")]
    requests_per_month: RequestsPerMonth | None = None
    requests_per_day: RequestsPerDay | None = None


TrainingUncertainty = Annotated[
    Uncertainty | None,
    Meta(
        description=(
            "Multipliers on volume (retraining runs and the inference volume) and on tokens "
            "(tokens per example, or trained_tokens, and the inference usage); the answer then "
            "carries `range` of the monthly cost: low applies both low multipliers, high both "
            "high ones."
        )
    ),
]


class ApiTrainingRequest(
    EstimateRequest, kw_only=True, forbid_unknown_fields=True, tag="api", tag_field="mode"
):
    """Fine-tuning on a provider's API: training, hosting, retraining and inference."""

    model: Annotated[
        ModelId,
        Meta(
            description=(
                "The base model to fine-tune (`ft:` prefix optional; `azure/gpt-4.1-mini` picks "
                "a provider). Its fine-tuning entry gives the rates."
            ),
            examples=["gpt-4.1-mini"],
        ),
    ]
    examples: Examples
    tokens_per_example: Annotated[
        int,
        Meta(
            ge=1,
            le=MAX_TOKENS_PER_EXAMPLE,
            description="Mean tokens per example; billed up to the model's training context.",
        ),
    ]
    epochs: Epochs | None = None
    retrains_per_year: RetrainsPerYear = 0
    inference: Annotated[
        FineTunedInference | None,
        Meta(description="A monthly volume priced at the fine-tuned model's rates."),
    ] = None
    uncertainty: TrainingUncertainty = None


class SelfHostedTrainingRequest(
    EstimateRequest, kw_only=True, forbid_unknown_fields=True, tag="self_hosted", tag_field="mode"
):
    """Fine-tuning an open-weight model on rented GPUs."""

    architecture: ArchitectureField
    method: Annotated[
        TrainingMethod,
        Meta(description="full (AdamW, every weight), lora, or qlora (4-bit frozen weights)."),
    ]
    lora_rank: (
        Annotated[int, Meta(ge=1, le=65_536, description="LoRA rank r (default 8).")] | None
    ) = None
    target_modules: (
        Annotated[
            list[LoraModule],
            Meta(
                min_length=1,
                max_length=7,
                description="Linear modules that get adapters (default q_proj, v_proj).",
            ),
        ]
        | None
    ) = None
    gpu: GpuField
    gpu_provider: GpuProvider = None
    gpu_sku: GpuSku = None
    usd_per_gpu_hour: UsdPerGpuHour = None
    gpu_count: (
        Annotated[
            int,
            Meta(
                ge=1,
                le=capacity.MAX_SHARDING_GPUS,
                description=(
                    "GPUs to train on, at most 64 (default: the smallest count the run fits on)."
                ),
            ),
        ]
        | None
    ) = None
    examples: (
        Annotated[
            int,
            Meta(ge=1, le=1_000_000_000, description="Examples (or give trained_tokens)."),
        ]
        | None
    ) = None
    tokens_per_example: Annotated[
        int,
        Meta(
            ge=1,
            le=10_000_000,
            description="Tokens per example: the sequence length s of activation memory.",
        ),
    ]
    epochs: Epochs | None = None
    trained_tokens: (
        Annotated[
            int,
            Meta(
                ge=1,
                le=10**15,
                description=(
                    "Tokens processed over all epochs, instead of examples × tokens × epochs "
                    "(then give neither examples nor epochs)."
                ),
            ),
        ]
        | None
    ) = None
    micro_batch_size: (
        Annotated[int, Meta(ge=1, le=4096, description="Sequences per GPU step (default 1).")]
        | None
    ) = None
    activation_recomputation: Annotated[
        bool | None,
        Meta(
            description=(
                "Full activation checkpointing: activations 2·s·b·h per layer instead of 34, "
                "and 2 more FLOPs per parameter and token (default false)."
            )
        ),
    ] = None
    efficiency: Annotated[
        float,
        Meta(
            ge=MIN_EFFICIENCY,
            le=1,
            description="Achieved share of the dense BF16 peak (MFU), default 0.40.",
        ),
    ] = float(DEFAULT_EFFICIENCY)
    retrains_per_year: RetrainsPerYear = 0
    uncertainty: TrainingUncertainty = None


TrainingRequest = ApiTrainingRequest | SelfHostedTrainingRequest


class ApiTrainingDetails(msgspec.Struct, kw_only=True):
    """How a provider's fine-tuning was billed."""

    provider: Annotated[str, Meta(description="The provider whose fine-tuning rates applied.")]
    training_rate: Annotated[Decimal, Meta(description="The training rate, USD.")]
    training_rate_unit: Annotated[
        str, Meta(description="usd_per_1m_trained_tokens or usd_per_1k_examples.")
    ]
    billed_tokens_per_example: Annotated[
        Decimal,
        Meta(
            description="Mean tokens per example after the training-context cap (for a "
            "dataset: each example capped, then averaged)."
        ),
    ]
    training_context_tokens: Annotated[
        int | None, Meta(description="The model's training context (None: not capped).")
    ]
    hosting_usd_per_hour: Annotated[
        Decimal | None, Meta(description="Hourly hosting of the deployment, if charged.")
    ]
    inference_requests_per_month: Annotated[
        Decimal | None, Meta(description="The inference volume priced, requests per month.")
    ] = None
    inference_monthly_usd: Annotated[
        Decimal | None, Meta(description="Monthly inference at the fine-tuned rates, USD.")
    ] = None


class TrainingMemory(msgspec.Struct, kw_only=True):
    """Training memory by part, each in bytes, GB (1e9) and GiB (2^30)."""

    weights: Annotated[MemorySize, Meta(description="Model weights (frozen ones for LoRA).")]
    gradients: Annotated[MemorySize, Meta(description="Weight gradients (full only).")]
    optimizer_states: Annotated[
        MemorySize, Meta(description="fp32 master weights, momentum and variance (full only).")
    ]
    adapters: Annotated[
        MemorySize, Meta(description="LoRA adapters with their gradients and AdamW states.")
    ]
    sharded_states: Annotated[
        MemorySize, Meta(description="All of the above, sharded evenly over the GPUs.")
    ]
    activations_per_gpu: Annotated[MemorySize, Meta(description="One GPU's activations.")]
    per_gpu: Annotated[
        MemorySize, Meta(description="sharded_states / gpu_count + activations_per_gpu.")
    ]
    usable_per_gpu: Annotated[MemorySize, Meta(description="90% of one GPU's memory.")]


class SelfHostedTrainingDetails(msgspec.Struct, kw_only=True):
    """FLOPs, GPU-hours and memory of a self-hosted run."""

    method: Annotated[str, Meta(description="full, lora or qlora.")]
    architecture: Annotated[ArchitectureSummary, Meta(description="The model trained.")]
    adapter_parameters: Annotated[int, Meta(description="LoRA parameters (0 for full).")]
    trainable_parameters: Annotated[int, Meta(description="Parameters the optimizer updates.")]
    lora_rank: Annotated[int | None, Meta(description="LoRA rank used.")] = None
    target_modules: Annotated[list[str] | None, Meta(description="Modules with adapters.")] = None
    flops_per_parameter_token: Annotated[
        int, Meta(description="k in FLOPs = k × N × tokens: 6 full, 4 LoRA, +2 recomputation.")
    ]
    executed_flops: Annotated[int, Meta(description="Executed (hardware) FLOPs.")]
    efficiency: Annotated[Decimal, Meta(description="Share of the dense BF16 peak assumed.")]
    gpu: Annotated[SelectedGpu, Meta(description="The GPU and its price.")]
    gpu_hours: Annotated[Decimal, Meta(description="FLOPs / (dense FLOP/s × efficiency × 3600).")]
    gpu_count: Annotated[int, Meta(description="GPUs the run uses.")]
    min_gpu_count: Annotated[int, Meta(description="Smallest GPU count the run fits on.")]
    wall_clock_hours: Annotated[
        Decimal, Meta(description="gpu_hours / gpu_count (linear scaling assumed).")
    ]
    memory: Annotated[TrainingMemory, Meta(description="Memory by part.")]


class TrainingEstimate(WorkloadEstimate, kw_only=True):
    """The cost of fine-tuning: one training run, then monthly hosting, retraining, inference."""

    mode: Annotated[Literal["api", "self_hosted"], Meta(description="How the model is trained.")]
    training_usd: Annotated[Decimal, Meta(description="One training run, USD.")]
    trained_tokens: Annotated[int, Meta(description="Tokens processed over all epochs.")]
    training_range: Annotated[
        Range | None,
        Meta(
            description=(
                "With `uncertainty`: one training run's cost (USD) at the low and high "
                "multipliers (tokens scale the trained tokens). `range` is the monthly cost, "
                "which is 0 without hosting, retraining or inference."
            )
        ),
    ] = None
    examples: Annotated[int | None, Meta(description="Examples in the dataset.")] = None
    epochs: Annotated[int | None, Meta(description="Epochs trained.")] = None
    api: Annotated[
        ApiTrainingDetails | None, Meta(description="Billing details, for mode api.")
    ] = None
    self_hosted: Annotated[
        SelfHostedTrainingDetails | None, Meta(description="Capacity details, for self_hosted.")
    ] = None


def default_epochs(examples: int) -> int:
    """Epochs when none are given (OpenAI's data-preparation heuristic, spend-models §5.1).

    Args:
        examples: Examples in the dataset (at least 1).

    Returns:
        3, raised for tiny datasets (up to 25) and lowered for large ones (down to 1).
    """
    if examples * DEFAULT_EPOCHS < MIN_EPOCH_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_EPOCH_EXAMPLES // examples)
    if examples * DEFAULT_EPOCHS > MAX_EPOCH_EXAMPLES:
        return max(1, MAX_EPOCH_EXAMPLES // examples)
    return DEFAULT_EPOCHS


class DatasetTokens(msgspec.Struct, frozen=True, kw_only=True):
    """Token sums of a dataset's training examples, each example capped at the training context.

    Built while the examples stream by (no example kept), so a dataset is billed exactly:
    Σ min(tokens of the example, training context), not examples × a capped mean.
    """

    billed_tokens: int
    truncated_examples: int


def training_context(fine_tune: FineTune) -> int | None:
    """Tokens of one example the provider trains on (and bills); None when not capped."""
    if fine_tune.training_context is not None:
        return fine_tune.training_context
    return fine_tune.model.training_context if fine_tune.model else None


def estimate_dataset_training(
    catalog: Catalog, request: ApiTrainingRequest, dataset: DatasetTokens
) -> TrainingEstimate:
    """Fine-tuning on the provider's API, billed on a dataset's exact capped token sum.

    ``request.tokens_per_example`` is not used for billing; ``dataset`` replaces it (the
    request carries no uncertainty, as a dataset's tokens are counted, not guessed).

    Raises:
        NotFound: Unknown table version or model.
        InvalidInput: As :func:`estimate_training` in mode api.
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    return _estimate_api(context, request, dataset)


def estimate_training(catalog: Catalog, request: TrainingRequest) -> TrainingEstimate:
    """Estimate fine-tuning in the request's mode.

    Raises:
        NotFound: Unknown table version, model, architecture or GPU.
        InvalidInput: Inconsistent inputs, or a run that fits on no GPU count up to 64.
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    if isinstance(request, ApiTrainingRequest):
        return _estimate_api(context, request)
    return _estimate_self_hosted(context, request)


# ------------------------------------------------------------------------------- mode api


def _estimate_api(
    context: PricingContext, request: ApiTrainingRequest, dataset: DatasetTokens | None = None
) -> TrainingEstimate:
    fine_tune = context.table.resolve_fine_tune(request.model, "$.model")
    epochs = _epochs(context, request.examples, request.epochs)
    warnings: list[Notice] = []
    if dataset is None:
        dataset = _uniform_dataset(fine_tune, request, warnings)
    else:
        warnings += notices(_truncated_examples(fine_tune, dataset, request.examples))
    _assume_retrains(context, request.retrains_per_year)
    if fine_tune.hosting_usd_per_hour is not None:
        context.assume(
            "hours_per_month", HOURS_PER_MONTH, "hosting is billed every hour, used or not"
        )
    requests = None
    if request.inference is None:
        warnings += notices(
            unused_service_tier(context, request.service_tier, "provider fine-tuning runs")
        )
    else:
        _fine_tuned_model(fine_tune)
        assume_service_tier(context, request.service_tier)
        requests = monthly_volume(
            context,
            request.inference.requests_per_month,
            request.inference.requests_per_day,
            "requests",
            parent="$.inference",
        )
    plan = _ApiPlan(
        context=context,
        request=request,
        fine_tune=fine_tune,
        epochs=epochs,
        requests=requests,
        dataset=dataset,
    )

    items = plan.items(EXPECTED)
    training = items[0]
    details = ApiTrainingDetails(
        provider=fine_tune.provider,
        training_rate=fine_tune.training_rate,
        training_rate_unit=_rate_unit(fine_tune),
        billed_tokens_per_example=Decimal(dataset.billed_tokens) / request.examples,
        training_context_tokens=training_context(fine_tune),
        hosting_usd_per_hour=fine_tune.hosting_usd_per_hour,
    )
    if requests is not None:
        details.inference_requests_per_month = requests
        details.inference_monthly_usd = sum(
            (item.cost_usd for item in items if item.name.startswith("inference_")), Decimal(0)
        )

    match = ModelMatch(
        id=f"ft:{fine_tune.base}",
        requested=request.model,
        matched_by="fine_tuned",
        provider=fine_tune.provider,
    )
    return _estimate(
        context,
        items,
        training,
        warnings,
        mode="api",
        trained_tokens=dataset.billed_tokens * epochs,
        examples=request.examples,
        epochs=epochs,
        model=match,
        api=details,
        range_of=(request.uncertainty, plan.items),
    )


class _ApiPlan(msgspec.Struct, frozen=True, kw_only=True):
    """A provider fine-tuning with every default applied, priced at any scale."""

    context: PricingContext
    request: ApiTrainingRequest
    fine_tune: FineTune
    epochs: int
    requests: Decimal | None
    dataset: DatasetTokens

    def items(self, scale: Scale) -> list[LineItem]:
        """Training, hosting, retraining and inference lines at a scale.

        Volume scales the retraining runs and the inference volume; tokens scale the tokens per
        example (still capped by the training context) and the inference usage.
        """
        request, fine_tune = self.request, self.fine_tune
        example_epochs = request.examples * self.epochs
        training = _training_line(fine_tune, example_epochs, self._trained_tokens(scale))
        items = [training]
        if fine_tune.hosting_usd_per_hour is not None:
            items.append(_hosting_line(fine_tune.hosting_usd_per_hour))
        items += _retraining_lines(training.cost_usd, request.retrains_per_year * scale.volume)
        if self.requests is not None:
            items += self._inference_lines(self.requests * scale.volume, scale)
        return items

    def _trained_tokens(self, scale: Scale) -> Decimal:
        """Trained tokens over all epochs; at a token scale, the scaled mean is capped again."""
        if scale.tokens == 1:
            return Decimal(self.dataset.billed_tokens * self.epochs)
        per_example = scale.of(self.request.tokens_per_example)
        limit = training_context(self.fine_tune)
        if limit is not None:
            per_example = min(per_example, Decimal(limit))
        return self.request.examples * self.epochs * per_example

    def _inference_lines(self, requests: Decimal, scale: Scale) -> list[LineItem]:
        usage = self.request.inference.usage  # type: ignore[union-attr]
        path = "$.inference.usage"
        return price_tokens(
            _fine_tuned_model(self.fine_tune),
            scaled_breakdown(breakdown(usage, path), scale.tokens),
            input_tokens=scale.of(usage.input_tokens),
            requests=requests,
            service_tier=self.request.service_tier,
            at=self.context.at,
            recurrence="monthly",
            path=path,
            field_names=USAGE_FIELDS,
            label="inference_",
        ).line_items


def _assume_retrains(context: PricingContext, retrains_per_year: int) -> None:
    echo_default(context, "retrains_per_year", retrains_per_year, 0, "no retraining")


def _fine_tuned_model(fine_tune: FineTune) -> ChatModel:
    if fine_tune.model is None:
        raise InvalidInput(
            "$.inference",
            f"the table has no fine-tuned inference price for {fine_tune.base} at "
            f"{fine_tune.provider}; leave inference out or pick another model",
        )
    return fine_tune.model


def _epochs(context: PricingContext, examples: int, requested: int | None) -> int:
    if requested is not None:
        return requested
    epochs = default_epochs(examples)
    context.assume(
        "epochs",
        epochs,
        "3; min(25, ⌊100/examples⌋) when examples × 3 < 100; max(1, ⌊25,000/examples⌋) when "
        "examples × 3 > 25,000 (OpenAI's default-epoch heuristic)",
    )
    return epochs


def _uniform_dataset(
    fine_tune: FineTune, request: ApiTrainingRequest, warnings: list[Notice]
) -> DatasetTokens:
    """Every example of ``tokens_per_example`` tokens, capped at the training context."""
    limit = training_context(fine_tune)
    tokens = request.tokens_per_example
    if limit is None or tokens <= limit:
        return DatasetTokens(billed_tokens=request.examples * tokens, truncated_examples=0)
    warnings.append(
        Notice(
            code="examples_truncated",
            message=(
                f"{tokens} tokens per example exceed the {limit}-token training "
                f"context of {fine_tune.base}: each example is billed (and trained) at {limit}"
            ),
        )
    )
    return DatasetTokens(
        billed_tokens=request.examples * limit, truncated_examples=request.examples
    )


def _truncated_examples(
    fine_tune: FineTune, dataset: DatasetTokens, examples: int
) -> Notice | None:
    if not dataset.truncated_examples:
        return None
    limit = training_context(fine_tune)
    return Notice(
        code="examples_truncated",
        message=(
            f"{dataset.truncated_examples} of {examples} training examples exceed the "
            f"{limit}-token training context of {fine_tune.base}: each of them is billed (and "
            f"trained) at {limit} tokens"
        ),
    )


def _rate_unit(fine_tune: FineTune) -> str:
    # The loader normalized every token-based training rate to USD per 1M trained tokens.
    if fine_tune.training_unit == PER_1K_EXAMPLES:
        return PER_1K_EXAMPLES
    return "usd_per_1m_trained_tokens"


def _training_line(
    fine_tune: FineTune, example_epochs: int, trained_tokens: int | Decimal
) -> LineItem:
    rate = fine_tune.training_rate
    if fine_tune.training_unit == PER_1K_EXAMPLES:
        return LineItem(
            name="training",
            quantity=Decimal(example_epochs),
            unit="trained_examples",
            rate=rate,
            rate_unit=PER_1K_EXAMPLES,
            cost_usd=example_epochs * rate / 1000,
        )
    return LineItem(
        name="training",
        quantity=Decimal(trained_tokens),
        unit="trained_tokens",
        rate=rate,
        rate_unit="usd_per_1m_trained_tokens",
        cost_usd=per_million(trained_tokens, rate),
    )


def _hosting_line(usd_per_hour: Decimal) -> LineItem:
    return priced_line("hosting", HOURS_PER_MONTH, "hours", usd_per_hour, "usd_per_hour")


def _retraining_lines(training_usd: Decimal, retrains_per_year: int | Decimal) -> list[LineItem]:
    if retrains_per_year == 0:
        return []
    per_month = Decimal(retrains_per_year) / MONTHS_PER_YEAR
    return [
        LineItem(
            name="retraining",
            quantity=per_month,
            unit="trainings",
            rate=training_usd,
            rate_unit="usd_per_training",
            cost_usd=per_month * training_usd,
            recurrence="monthly",
        )
    ]


# ----------------------------------------------------------------------- mode self_hosted


def _estimate_self_hosted(
    context: PricingContext, request: SelfHostedTrainingRequest
) -> TrainingEstimate:
    arch = architecture_from(context, request.architecture)
    gpu, selected = gpu_from(
        context, request.gpu, request.gpu_provider, request.gpu_sku, request.usd_per_gpu_hour
    )
    warnings: list[Notice] = []
    trained_tokens, epochs = _trained_tokens(context, request)
    _check_sequence(arch, request.tokens_per_example, warnings)
    rank, modules = _adapter_choice(context, request, warnings)
    adapters = capacity.lora_adapter_parameters(arch, rank, modules) if rank else 0

    recomputation = _flag(context, request.activation_recomputation)
    memory, min_count, count = _memory(
        context, request, arch, gpu.memory_gb, adapters, recomputation
    )
    efficiency = _efficiency(context, request.efficiency)
    flops = capacity.training_flops(arch.parameters, trained_tokens, request.method, recomputation)
    _assume_conventions(context, request.method)
    _assume_retrains(context, request.retrains_per_year)
    warnings += notices(
        unused_service_tier(context, request.service_tier, "self-hosted GPU-hours"),
        _QLORA_DEQUANTIZATION if request.method == "qlora" else None,
    )

    def items_at(scale: Scale) -> list[LineItem]:
        # Tokens scale the trained tokens (so the FLOPs and GPU-hours); volume the retraining.
        hours = capacity.gpu_hours_for(flops * scale.tokens, gpu.dense_bf16_tflops, efficiency)
        training = _gpu_hours_line(hours, selected.usd_per_hour)
        return [
            training,
            *_retraining_lines(training.cost_usd, request.retrains_per_year * scale.volume),
        ]

    items = items_at(EXPECTED)
    training = items[0]
    details = SelfHostedTrainingDetails(
        method=request.method,
        architecture=architecture_summary(arch),
        adapter_parameters=adapters,
        trainable_parameters=adapters if rank else arch.parameters,
        lora_rank=rank,
        target_modules=list(modules) if rank else None,
        flops_per_parameter_token=capacity.flops_per_parameter_token(request.method, recomputation),
        executed_flops=flops,
        efficiency=efficiency,
        gpu=selected,
        gpu_hours=training.quantity,
        gpu_count=count,
        min_gpu_count=min_count,
        wall_clock_hours=training.quantity / count,
        memory=memory,
    )
    return _estimate(
        context,
        items,
        training,
        warnings,
        mode="self_hosted",
        trained_tokens=trained_tokens,
        examples=request.examples,
        epochs=epochs,
        self_hosted=details,
        range_of=(request.uncertainty, items_at),
    )


def _gpu_hours_line(gpu_hours: Decimal, usd_per_gpu_hour: Decimal) -> LineItem:
    return priced_line(
        "gpu_hours",
        gpu_hours,
        "gpu_hours",
        usd_per_gpu_hour,
        "usd_per_gpu_hour",
        recurrence="one_time",
    )


_QLORA_DEQUANTIZATION = Notice(
    code="qlora_dequantization_not_counted",
    message=(
        "QLoRA dequantizes the 4-bit weights on every pass: that costs time, not FLOPs, and is "
        "not in gpu_hours; measured slow-downs against LoRA reach about 1.75× "
        "(capacity-anchors §1.3): lower efficiency to account for it"
    ),
)


def _trained_tokens(
    context: PricingContext, request: SelfHostedTrainingRequest
) -> tuple[int, int | None]:
    if request.trained_tokens is not None:
        if request.epochs is not None:
            raise InvalidInput(
                "$.epochs",
                "epochs go with examples: trained_tokens already counts every epoch; give "
                "examples and epochs, or trained_tokens alone",
            )
        if request.examples is not None:
            raise InvalidInput(
                "$.examples", "give examples (with epochs) or trained_tokens, not both"
            )
        return request.trained_tokens, None
    if request.examples is None:
        raise InvalidInput("$.examples", "give examples (with epochs) or trained_tokens")
    epochs = _epochs(context, request.examples, request.epochs)
    return request.examples * request.tokens_per_example * epochs, epochs


def _check_sequence(arch: Architecture, tokens_per_example: int, warnings: list[Notice]) -> None:
    if arch.context_length and tokens_per_example > arch.context_length:
        warnings.append(
            Notice(
                code="sequence_beyond_context",
                message=(
                    f"{tokens_per_example} tokens per example exceed {arch.name}'s "
                    f"{arch.context_length}-token context"
                ),
            )
        )


def _adapter_choice(
    context: PricingContext, request: SelfHostedTrainingRequest, warnings: list[Notice]
) -> tuple[int | None, tuple[str, ...]]:
    if request.method == "full":
        if request.lora_rank is not None or request.target_modules is not None:
            warnings.append(
                Notice(
                    code="lora_settings_ignored",
                    message="lora_rank and target_modules apply to lora and qlora, not full",
                )
            )
        return None, ()

    rank = request.lora_rank
    if rank is None:
        rank = DEFAULT_LORA_RANK
        context.assume("lora_rank", rank, "PEFT's default rank")
    modules: tuple[str, ...]
    if request.target_modules is None:
        modules = DEFAULT_TARGET_MODULES
        context.assume("target_modules", ", ".join(modules), "the LoRA paper's choice")
    else:
        modules = tuple(dict.fromkeys(request.target_modules))
    return rank, modules


def _flag(context: PricingContext, requested: bool | None) -> bool:
    if requested is None:
        context.assume("activation_recomputation", "false", "activations are kept, not recomputed")
        return False
    return requested


def _efficiency(context: PricingContext, requested: float) -> Decimal:
    efficiency = to_decimal(requested)
    echo_default(
        context,
        "efficiency",
        efficiency,
        DEFAULT_EFFICIENCY,
        "share of the dense BF16 peak achieved (MFU); published runs reach 0.35-0.47",
    )
    return efficiency


def _assume_conventions(context: PricingContext, method: str) -> None:
    states = {
        "full": "mixed-precision AdamW: 2 (weights) + 2 (gradients) + 12 (optimizer) B/param",
        "lora": "2 B per frozen parameter + 16 B per adapter parameter",
        "qlora": (
            "4.127 bits per parameter of the attention and MLP projections, 2 B for every other "
            "parameter (embeddings, LM head, norms), 16 B per adapter parameter"
        ),
    }[method]
    context.assume("training_states", states, "capacity-anchors §1.4")
    context.assume(
        "sharding",
        "ZeRO-3 / FSDP: states split evenly over the GPUs; each GPU holds its own activations",
    )
    context.assume(
        "usable_memory_share",
        capacity.USABLE_MEMORY_SHARE,
        "of each GPU's memory (decimal GB); the rest is CUDA context and fragmentation",
    )
    context.assume("wall_clock", "gpu_hours / gpu_count", "linear scaling, no communication")


def _memory(
    context: PricingContext,
    request: SelfHostedTrainingRequest,
    arch: Architecture,
    memory_gb: Decimal,
    adapters: int,
    recomputation: bool,
) -> tuple[TrainingMemory, int, int]:
    micro_batch = request.micro_batch_size
    if micro_batch is None:
        micro_batch = DEFAULT_MICRO_BATCH
        context.assume("micro_batch_size", micro_batch, "sequences per GPU step")
    states = capacity.training_states(arch, request.method, adapters)
    activations = capacity.activation_bytes(
        arch, request.tokens_per_example, micro_batch, recomputation
    )
    usable = capacity.usable_bytes(memory_gb)

    min_count = capacity.smallest_fitting_gpu_count(states.total, activations, usable)
    if min_count is None:
        raise InvalidInput(
            "$.gpu",
            _no_fit_reason(states.total, activations, usable, request, recomputation, micro_batch),
        )
    count = request.gpu_count or min_count
    if count < min_count:
        need = capacity.bytes_per_gpu(states.total, activations, count)
        raise InvalidInput(
            "$.gpu_count",
            f"sharded over {gpus(count)}, the run needs {memory_size(need).gb:.2f} GB per GPU "
            f"but {memory_size(usable).gb:.2f} GB are usable: it fits on {min_count} or more",
        )
    if request.gpu_count is None:
        context.assume("gpu_count", count, "the smallest count the run fits on")

    memory = TrainingMemory(
        weights=memory_size(states.weights),
        gradients=memory_size(states.gradients),
        optimizer_states=memory_size(states.optimizer_states),
        adapters=memory_size(states.adapters),
        sharded_states=memory_size(states.total),
        activations_per_gpu=memory_size(activations),
        per_gpu=memory_size(capacity.bytes_per_gpu(states.total, activations, count)),
        usable_per_gpu=memory_size(usable),
    )
    return memory, min_count, count


def _no_fit_reason(
    states: Decimal,
    activations: Decimal,
    usable: Decimal,
    request: SelfHostedTrainingRequest,
    recomputation: bool,
    micro_batch: int,
) -> str:
    limit = capacity.MAX_SHARDING_GPUS
    need = memory_size(capacity.bytes_per_gpu(states, activations, limit))
    missing = memory_size(capacity.bytes_per_gpu(states, activations, limit) - usable)
    return (
        f"does not fit even sharded over {limit} GPUs: each needs {need.gb:.2f} GB "
        f"({need.gib:.2f} GiB), of which {memory_size(activations).gb:.2f} GB activations, but "
        f"only {memory_size(usable).gb:.2f} GB are usable; {missing.gb:.2f} GB "
        f"({missing.gib:.2f} GiB) per GPU are missing. Use "
        f"{_ways_to_fit(request.method, recomputation, micro_batch)}"
    )


def _ways_to_fit(method: str, recomputation: bool, micro_batch: int) -> str:
    # Only the levers this run has not pulled yet.
    ways = ["a larger GPU"]
    ways += {"full": ["LoRA or QLoRA"], "lora": ["QLoRA"], "qlora": []}[method]
    if not recomputation:
        ways.append("activation recomputation")
    if micro_batch > 1:
        ways.append("a smaller micro_batch_size")
    ways.append("shorter sequences")
    return ", ".join(ways[:-1]) + " or " + ways[-1]


# ---------------------------------------------------------------------------------- common


def _estimate(
    context: PricingContext,
    items: list[LineItem],
    training: LineItem,
    warnings: list[Notice],
    *,
    mode: Literal["api", "self_hosted"],
    trained_tokens: int,
    examples: int | None,
    epochs: int | None,
    model: ModelMatch | None = None,
    api: ApiTrainingDetails | None = None,
    self_hosted: SelfHostedTrainingDetails | None = None,
    range_of: tuple[Uncertainty | None, Callable[[Scale], list[LineItem]]],
) -> TrainingEstimate:
    one_time, monthly, first_year = totals(items)
    uncertainty, items_at = range_of
    spread = monthly_range(context, uncertainty, lambda scale: totals(items_at(scale))[1], monthly)
    training_range = None
    if uncertainty is not None:
        # The tokens multiplier moves the one-time run, which the monthly range cannot show.
        training_range = Range(
            low=_run_cost(items_at, uncertainty.volume.low, uncertainty.tokens.low),
            expected=training.cost_usd,
            high=_run_cost(items_at, uncertainty.volume.high, uncertainty.tokens.high),
        )
    warnings = [*warnings, *notices(range_notice(spread))]
    red_flags = []
    if examples is not None and examples < RED_FLAG_EXAMPLES:
        red_flags.append(
            Notice(
                code="fine_tuning_under_1000_examples",
                message=(
                    f"fine-tuning on {examples} examples: fewer than 1,000 rarely beats a good "
                    "prompt with few-shot examples; collect more data or prompt instead"
                ),
            )
        )
    return TrainingEstimate(
        pricing_version=context.table.version,
        line_items=items,
        assumptions=context.assumptions,
        warnings=warnings,
        red_flags=red_flags,
        one_time_usd=one_time,
        monthly_usd=monthly,
        first_year_usd=first_year,
        range=spread,
        mode=mode,
        training_usd=training.cost_usd,
        trained_tokens=trained_tokens,
        training_range=training_range,
        examples=examples,
        epochs=epochs,
        model=model,
        api=api,
        self_hosted=self_hosted,
    )


def _run_cost(items_at: Callable[[Scale], list[LineItem]], volume: float, tokens: float) -> Decimal:
    # The one-time lines at a bound: the training run (volume does not change one run).
    scale = Scale(volume=to_decimal(volume), tokens=to_decimal(tokens))
    return totals(items_at(scale))[0]
