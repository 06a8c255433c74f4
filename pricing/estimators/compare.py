"""compareApproaches: one workload, the article's four approaches side by side, priced.

Prompt engineering, RAG and agents run on the large model; fine-tuning trains the small model
and serves the workload with it. Each approach is priced by its own estimator (prompting, rag,
training with inference, agent), placed against the article's cost band and given its columns
and failure modes. The flowchart's pick comes from the same function as
``POST /v1/recommendations``, and the break-even volume compares prompting the large model with
the fine-tuned small one (DESIGN §4.8, spend-models §5.4).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, Decimal
from typing import Annotated, Literal, TypeVar

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog, ModelMatch
from pricing.errors import InvalidInput, NotFound
from pricing.estimators.agent import AgentRequest, estimate_agent
from pricing.estimators.common import (
    HOURS_PER_MONTH,
    Estimate,
    EstimateRequest,
    ModelId,
    PricingContext,
    WorkloadEstimate,
    to_decimal,
)
from pricing.estimators.prompting import PromptingRequest, estimate_prompting
from pricing.estimators.rag import RagRequest, estimate_rag
from pricing.estimators.training import (
    ApiTrainingRequest,
    FineTunedInference,
    TrainingEstimate,
    estimate_training,
)
from pricing.flowchart import (
    FlowchartInputs,
    MetricNames,
    Recommendation,
    RecommendationRequest,
    recommend,
)
from pricing.knowledge import (
    ApproachId,
    ApproachProfile,
    FailureMode,
    Level,
    Recurrence,
    ReferenceDocument,
    SetupTime,
    TaskType,
    shipped_library,
)
from pricing.problems import nest
from pricing.results import Assumption, LineItem, Notice
from pricing.usage import Usage, price_usage

DEFAULT_LARGE_MODEL = "gpt-4.1"
DEFAULT_SMALL_MODEL = "gpt-4.1-mini"
DEFAULT_EMBEDDING_MODEL = "text-embedding-3-small"
DEFAULT_VECTOR_STORE = "pinecone-serverless-standard"
DEFAULT_TOKENS_PER_DOCUMENT = 2000
DEFAULT_CHUNK_SIZE = 512
DEFAULT_CHUNK_OVERLAP = 64
DEFAULT_TOP_K = 5
DEFAULT_AGENT_STEPS = 5
#: Training examples assumed when the flowchart inputs give no count (the article's minimum).
DEFAULT_TRAINING_EXAMPLES = 1000

# Bounded so that sums of them stay within what every estimator accepts (10^8 tokens).
_Tokens = Annotated[int, Meta(ge=0, le=5 * 10**7)]
_Positive = Annotated[int, Meta(ge=1, le=10**12)]
_Steps = Annotated[int, Meta(ge=1, le=1000)]
BandPosition = Literal["below", "within", "above"]


class CompareRequest(EstimateRequest, kw_only=True, forbid_unknown_fields=True):
    """One workload to price four ways."""

    task_type: Annotated[TaskType, Meta(description="The task the workload performs.")]
    requests_per_month: Annotated[
        float,
        Meta(gt=0, le=1e12, description="Requests (or agent tasks) per month.", examples=[50000]),
    ]
    instruction_tokens: Annotated[
        _Tokens,
        Meta(
            description=(
                "Instructions sent with every prompted request: system prompt, few-shot "
                "examples, tool schemas. A fine-tuned model has learned them and drops them."
            ),
            examples=[2900],
        ),
    ]
    input_tokens: Annotated[
        _Tokens, Meta(description="The request's own input (the user's message).", examples=[300])
    ]
    output_tokens: Annotated[_Tokens, Meta(description="Answer tokens.", examples=[150])]
    corpus_tokens: Annotated[
        _Positive, Meta(description="The knowledge corpus RAG indexes, tokens.", examples=[2e7])
    ]
    corpus_documents: Annotated[
        _Positive | None,
        Meta(description="Documents in the corpus (default: one per 2,000 tokens)."),
    ] = None
    flowchart: Annotated[
        FlowchartInputs,
        Meta(description="The flowchart's five inputs, as POST /v1/recommendations takes them."),
    ]
    evaluation_metrics: Annotated[
        MetricNames | None,
        Meta(description="Planned evaluation metrics; none automated is a red flag."),
    ] = None
    held_out_test_set: Annotated[
        bool | None, Meta(description="Is a held-out test set kept? false is a red flag.")
    ] = None
    documents_preprocessed: Annotated[
        bool | None, Meta(description="RAG: are documents cleaned first? false is a red flag.")
    ] = None
    large_model: Annotated[
        ModelId | None, Meta(description="Model prompted, used by RAG and agents (gpt-4.1).")
    ] = None
    small_model: Annotated[
        ModelId | None, Meta(description="Base model fine-tuned (gpt-4.1-mini).")
    ] = None
    training_examples: Annotated[
        _Positive | None,
        Meta(
            description="Examples trained on (default: labeled_example_count, else "
            "example_count, else 1,000)."
        ),
    ] = None
    tokens_per_training_example: Annotated[
        _Positive | None,
        Meta(description="Tokens of one training example (default input + output tokens)."),
    ] = None
    prompt_caching: Annotated[
        bool, Meta(description="Price prompt caching where the model offers it (default off).")
    ] = False
    agent_steps: Annotated[
        _Steps | None, Meta(description="Model calls per agent task (default 5).")
    ] = None
    agent_max_steps: Annotated[
        _Steps | None, Meta(description="The agent's step limit; none is a red flag.")
    ] = None
    agent_retries: Annotated[
        Annotated[int, Meta(ge=0, le=100)] | None,
        Meta(description="Agent retries after a failure; none or 0 is a red flag."),
    ] = None


class CostBandCheck(msgspec.Struct, kw_only=True):
    """Where an estimate sits against the article's cost band for the approach."""

    text: Annotated[str, Meta(description="The band as the article prints it.")]
    low_usd: Annotated[Decimal, Meta(description="Low end of the band.")]
    high_usd: Annotated[Decimal, Meta(description="High end of the band.")]
    open_ended: Annotated[bool, Meta(description="No ceiling (the article's '+').")]
    recurrence: Annotated[Recurrence, Meta(description="one_time or monthly.")]
    compared_usd: Annotated[
        Decimal,
        Meta(description="The estimate compared: one-time for a one-time band, else monthly."),
    ]
    position: Annotated[BandPosition, Meta(description="below, within or above the band.")]


class ApproachCost(msgspec.Struct, kw_only=True):
    """One approach for this workload: its cost, the article's columns and its risks."""

    approach: Annotated[ApproachId, Meta(description="The approach.")]
    name: Annotated[str, Meta(description="Display name.")]
    one_time_usd: Annotated[Decimal, Meta(description="Up-front cost, USD.")]
    monthly_usd: Annotated[Decimal, Meta(description="Running cost per month, USD.")]
    first_year_usd: Annotated[Decimal, Meta(description="one_time + 12 × monthly, USD.")]
    band: Annotated[CostBandCheck, Meta(description="The estimate against the article's band.")]
    latency: Annotated[Level, Meta(description="The article's latency column.")]
    accuracy: Annotated[Level, Meta(description="The article's accuracy column.")]
    setup_time: Annotated[SetupTime, Meta(description="The article's setup time.")]
    maintenance: Annotated[Level, Meta(description="The article's maintenance column.")]
    when_to_use: Annotated[list[str], Meta(description="When the article advises it.")]
    failure_modes: Annotated[
        list[FailureMode], Meta(description="How it fails, with detection and mitigation.")
    ]
    model: Annotated[ModelMatch | None, Meta(description="The model priced.")] = None
    line_items: Annotated[list[LineItem], Meta(description="The estimator's line items.")] = []
    assumptions: Annotated[list[Assumption], Meta(description="The estimator's defaults.")] = []
    warnings: Annotated[list[Notice], Meta(description="The estimator's warnings.")] = []
    red_flags: Annotated[list[Notice], Meta(description="Red flags of this approach.")] = []


class BreakEven(msgspec.Struct, kw_only=True):
    """When fine-tuning the small model pays for itself against prompting the large one."""

    prompted_usd_per_request: Annotated[
        Decimal, Meta(description="Large model, instructions + input in, output out, USD.")
    ]
    fine_tuned_usd_per_request: Annotated[
        Decimal, Meta(description="Fine-tuned small model, input in, output out, USD.")
    ]
    saving_usd_per_request: Annotated[Decimal, Meta(description="The difference, USD.")]
    training_usd: Annotated[Decimal, Meta(description="One training run, USD.")]
    requests: Annotated[
        Decimal | None,
        Meta(description="training ÷ saving per request; null when fine-tuning saves nothing."),
    ] = None
    whole_requests: Annotated[
        int | None, Meta(description="`requests` rounded up to whole requests.")
    ] = None
    months: Annotated[Decimal | None, Meta(description="`requests` ÷ requests per month.")] = None
    monthly_requests_to_cover_hosting: Annotated[
        Decimal | None,
        Meta(description="Where the fine-tuned model pays hourly hosting: hosting ÷ saving."),
    ] = None


class ComparisonEstimate(Estimate, kw_only=True):
    """Four approaches for one workload, the flowchart's pick and the break-even volume."""

    requests_per_month: Annotated[Decimal, Meta(description="The monthly volume priced.")]
    approaches: Annotated[
        list[ApproachCost], Meta(description="Fine-tuning, RAG, prompt engineering, agents.")
    ]
    recommendation: Annotated[
        Recommendation, Meta(description="The flowchart's pick, as /v1/recommendations answers.")
    ]
    cheapest_first_year: Annotated[
        ApproachId, Meta(description="The approach with the lowest first-year cost.")
    ]
    break_even: Annotated[BreakEven, Meta(description="Fine-tuning against prompting.")]
    reference_version: Annotated[str, Meta(description="The reference of the columns.")]


def estimate_comparison(catalog: Catalog, request: CompareRequest) -> ComparisonEstimate:
    """Price the workload four ways and put the article's knowledge beside each.

    Raises:
        NotFound: Unknown table version or model.
        InvalidInput: A flowchart question on the path has no answer, or an input breaks a
            rule of one of the estimators.
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    reference = shipped_library().for_table(context.table)
    plan = _Plan(request, context)
    # Resolved here so that an unknown id names the field of this request.
    context.table.resolve_model(plan.large, "$.large_model", kind="chat")
    context.table.resolve_fine_tune(plan.small, "$.small_model")

    try:
        recommendation = recommend(_recommendation_request(request), reference)
    except InvalidInput as error:
        raise InvalidInput(nest("$.flowchart", error.path), error.reason) from None
    training = _priced("fine_tuning", estimate_training, catalog, plan.training())
    priced: dict[ApproachId, WorkloadEstimate] = {
        "fine_tuning": training,
        "rag": _priced("rag", estimate_rag, catalog, plan.rag()),
        "prompt_engineering": _priced(
            "prompt_engineering", estimate_prompting, catalog, plan.prompting()
        ),
        "agents": _priced("agents", estimate_agent, catalog, plan.agent()),
    }
    approaches = [_approach(reference.approach(a), priced[a], reference) for a in priced]
    return ComparisonEstimate(
        pricing_version=context.table.version,
        assumptions=[*context.assumptions, *plan.assumptions],
        red_flags=recommendation.red_flags,
        requests_per_month=plan.volume,
        approaches=approaches,
        recommendation=recommendation,
        cheapest_first_year=min(approaches, key=lambda a: a.first_year_usd).approach,
        break_even=break_even(context, plan, training),
        reference_version=reference.version,
    )


class _Plan:
    """The workload with every default resolved, and the request of each estimator."""

    def __init__(self, request: CompareRequest, context: PricingContext) -> None:
        self.request = request
        self.context = context
        self.assumptions: list[Assumption] = []
        self.volume = to_decimal(request.requests_per_month)
        self.large = str(self._default("large_model", request.large_model, DEFAULT_LARGE_MODEL))
        self.small = str(self._default("small_model", request.small_model, DEFAULT_SMALL_MODEL))

    def _default(self, name: str, given: object, default: object, note: str = "") -> object:
        if given is not None:
            return given
        self.assumptions.append(Assumption(name=name, value=str(default), note=note or None))
        return default

    def _common(self) -> dict[str, object]:
        return {
            "pricing_version": self.context.table.version,
            "at": self.context.at,
            "service_tier": self.request.service_tier,
        }

    def prompting(self) -> PromptingRequest:
        request = self.request
        return PromptingRequest(
            **self._common(),
            model=self.large,
            requests_per_month=request.requests_per_month,
            system_prompt_tokens=request.instruction_tokens,
            variable_input_tokens=request.input_tokens,
            output_tokens=request.output_tokens,
            prompt_caching=request.prompt_caching,
        )

    def rag(self) -> RagRequest:
        request = self.request
        documents = int(
            self._default(
                "corpus_documents",
                request.corpus_documents,
                -(-request.corpus_tokens // DEFAULT_TOKENS_PER_DOCUMENT),
                "one document per 2,000 corpus tokens",
            )
        )
        per_document = -(-request.corpus_tokens // documents)
        if per_document * documents != request.corpus_tokens:
            self.assumptions.append(
                Assumption(
                    name="tokens_per_document",
                    value=str(per_document),
                    note="corpus tokens ÷ documents, rounded up",
                )
            )
        for name, value in (
            ("rag_chunk_size_tokens", DEFAULT_CHUNK_SIZE),
            ("rag_chunk_overlap_tokens", DEFAULT_CHUNK_OVERLAP),
            ("rag_top_k", DEFAULT_TOP_K),
            ("rag_embedding_model", DEFAULT_EMBEDDING_MODEL),
            ("rag_vector_store", DEFAULT_VECTOR_STORE),
        ):
            self.assumptions.append(Assumption(name=name, value=str(value)))
        return RagRequest(
            **self._common(),
            model=self.large,
            documents=documents,
            tokens_per_document=per_document,
            chunk_size_tokens=DEFAULT_CHUNK_SIZE,
            chunk_overlap_tokens=DEFAULT_CHUNK_OVERLAP,
            embedding_model=DEFAULT_EMBEDDING_MODEL,
            vector_store=DEFAULT_VECTOR_STORE,
            queries_per_month=request.requests_per_month,
            question_tokens=request.input_tokens,
            system_prompt_tokens=request.instruction_tokens,
            top_k=DEFAULT_TOP_K,
            output_tokens=request.output_tokens,
            documents_preprocessed=request.documents_preprocessed,
        )

    def training(self) -> ApiTrainingRequest:
        request = self.request
        flowchart = request.flowchart
        counted = flowchart.labeled_example_count or flowchart.example_count
        examples = request.training_examples or counted
        if examples is None or examples < 1:
            examples = int(
                self._default(
                    "training_examples", None, DEFAULT_TRAINING_EXAMPLES, "the article's minimum"
                )
            )
        tokens = int(
            self._default(
                "tokens_per_training_example",
                request.tokens_per_training_example,
                max(1, request.input_tokens + request.output_tokens),
                "input + output tokens of one request",
            )
        )
        inference = FineTunedInference(
            usage=self.usage(request.input_tokens), requests_per_month=request.requests_per_month
        )
        return ApiTrainingRequest(
            **self._common(),
            model=self.small,
            examples=examples,
            tokens_per_example=tokens,
            inference=inference,
        )

    def agent(self) -> AgentRequest:
        request = self.request
        steps = int(
            self._default("agent_steps", request.agent_steps, DEFAULT_AGENT_STEPS, "per task")
        )
        self.assumptions.append(
            Assumption(
                name="agent_growth_tokens_per_step",
                value=str(request.output_tokens),
                note="each step appends its output; tool results are not counted",
            )
        )
        return AgentRequest(
            **self._common(),
            model=self.large,
            tasks_per_month=request.requests_per_month,
            steps_per_task=steps,
            max_steps=request.agent_max_steps,
            initial_prompt_tokens=request.instruction_tokens + request.input_tokens,
            growth_tokens_per_step=request.output_tokens,
            output_tokens_per_step=request.output_tokens,
            max_retries=request.agent_retries,
            prompt_caching=request.prompt_caching,
        )

    def usage(self, input_tokens: int) -> Usage:
        """One request's usage with this input and the workload's output."""
        return Usage(input_tokens=input_tokens, output_tokens=self.request.output_tokens)


R = TypeVar("R")
E = TypeVar("E")


def _priced(
    approach: ApproachId, estimate: Callable[[Catalog, R], E], catalog: Catalog, request: R
) -> E:
    """One approach's estimate; a refusal names the approach (its fields are not this request's).

    The sub-request is checked against its own schema first: building a Struct in Python
    checks no constraint.

    Raises:
        InvalidInput: The estimator refuses the workload; the path is the whole request.
        NotFound: A default component (embedding model, vector store) is not in the table.
    """
    try:
        checked = msgspec.convert(msgspec.to_builtins(request), type(request))
        return estimate(catalog, checked)
    except msgspec.ValidationError as error:
        reason = f"the {approach} estimate cannot take this workload: {error}"
        raise InvalidInput("$", reason) from None
    except InvalidInput as error:
        raise InvalidInput("$", f"the {approach} estimate: {error.path}: {error.reason}") from None
    except NotFound as error:
        raise NotFound(error.kind, error.requested, error.suggestions, "$") from None


def _recommendation_request(request: CompareRequest) -> RecommendationRequest:
    inputs = msgspec.structs.asdict(request.flowchart)
    return RecommendationRequest(
        **inputs,
        prompt_tokens=request.instruction_tokens + request.input_tokens,
        documents_preprocessed=request.documents_preprocessed,
        agent_step_limit=request.agent_max_steps is not None,
        agent_retry_policy=bool(request.agent_retries),
        held_out_test_set=request.held_out_test_set,
        evaluation_metrics=request.evaluation_metrics,
    )


def _approach(
    profile: ApproachProfile, estimate: WorkloadEstimate, reference: ReferenceDocument
) -> ApproachCost:
    return ApproachCost(
        approach=profile.id,
        name=profile.name,
        one_time_usd=estimate.one_time_usd,
        monthly_usd=estimate.monthly_usd,
        first_year_usd=estimate.first_year_usd,
        band=band_check(profile, estimate.one_time_usd, estimate.monthly_usd),
        latency=profile.latency,
        accuracy=profile.accuracy,
        setup_time=profile.setup_time,
        maintenance=profile.maintenance,
        when_to_use=profile.when_to_use,
        failure_modes=reference.failure_modes_of(profile.id),
        model=estimate.model,
        line_items=estimate.line_items,
        assumptions=estimate.assumptions,
        warnings=estimate.warnings,
        red_flags=estimate.red_flags,
    )


def band_check(
    profile: ApproachProfile, one_time_usd: Decimal, monthly_usd: Decimal
) -> CostBandCheck:
    """Place an estimate against the article's band: one-time bands take the one-time cost.

    An open-ended band ("$2k-30k+") has no ceiling, so nothing is above it.
    """
    band = profile.cost_band
    compared = one_time_usd if band.recurrence == "one_time" else monthly_usd
    position: BandPosition = "within"
    if compared < band.low_usd:
        position = "below"
    elif compared > band.high_usd and not band.open_ended:
        position = "above"
    return CostBandCheck(
        text=band.text,
        low_usd=band.low_usd,
        high_usd=band.high_usd,
        open_ended=band.open_ended,
        recurrence=band.recurrence,
        compared_usd=compared,
        position=position,
    )


def break_even(context: PricingContext, plan: _Plan, training: TrainingEstimate) -> BreakEven:
    """Requests after which fine-tuning the small model has paid for its training.

    N = training cost ÷ (prompted large model per request − fine-tuned small model per request),
    both priced with the usage primitive; none when fine-tuning saves nothing per request.
    """
    request = plan.request
    tier = request.service_tier
    large, _ = context.table.resolve_model(str(plan.large), "$.large_model")
    small, _ = context.table.resolve_model(f"ft:{plan.small}", "$.small_model")
    prompted = price_usage(
        large,
        plan.usage(request.instruction_tokens + request.input_tokens),
        service_tier=tier,
        at=context.at,
    ).total_usd
    fine_tuned = price_usage(
        small, plan.usage(request.input_tokens), service_tier=tier, at=context.at
    ).total_usd
    saving = prompted - fine_tuned
    result = BreakEven(
        prompted_usd_per_request=prompted,
        fine_tuned_usd_per_request=fine_tuned,
        saving_usd_per_request=saving,
        training_usd=training.training_usd,
    )
    if saving <= 0:
        return result

    requests = training.training_usd / saving
    result.requests = requests
    result.whole_requests = int(requests.to_integral_value(rounding=ROUND_CEILING))
    result.months = requests / plan.volume
    hosting = training.api.hosting_usd_per_hour if training.api else None
    if hosting is not None:
        result.monthly_requests_to_cover_hosting = hosting * HOURS_PER_MONTH / saving
    return result
