"""compareApproaches: one workload, the article's four approaches side by side, priced.

Prompt engineering, RAG and agents run on the large model; fine-tuning trains the small model
and serves the workload with it. Each approach is priced by its own estimator (prompting, rag,
training with inference, agent), placed against the article's cost band and given its columns
and failure modes. The flowchart's pick comes from the same function as
``POST /v1/recommendations``, and the break-even volume compares prompting the large model with
the fine-tuned small one (DESIGN §4.8, spend-models §5.4).

Every setting of the inner estimates is a field of the compare request (with its default
echoed in ``assumptions``), and a refusal of an inner estimate is reported at the compare field
to change. A part the chosen table cannot price (a default embedding model or vector store it
lacks, a fine-tuned model without inference prices) leaves that approach "not priced" with its
reason, and the others are still compared. A service tier or prompt caching is priced where the
model offers it, and at standard rates or uncached elsewhere, with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import ROUND_CEILING, Decimal
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog, ModelMatch
from pricing.entries import ChatModel
from pricing.errors import InvalidInput, NotFound
from pricing.estimators.agent import AgentRequest, estimate_agent
from pricing.estimators.common import (
    DEFAULT_SERVICE_TIER,
    HOURS_PER_MONTH,
    Estimate,
    EstimateRequest,
    ModelId,
    PricingContext,
    WorkloadEstimate,
    to_decimal,
)
from pricing.estimators.prompting import PromptingEstimate, PromptingRequest, estimate_prompting
from pricing.estimators.rag import MAX_COUNT, RagRequest, VectorStoreId, estimate_rag
from pricing.estimators.training import (
    MAX_EXAMPLES,
    MAX_TOKENS_PER_EXAMPLE,
    ApiTrainingRequest,
    FineTunedInference,
    TrainingEstimate,
    estimate_training,
)
from pricing.estimators.workload import HitRate
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
from pricing.results import Assumption, LineItem, Notice, assumption_text
from pricing.schema import ServiceTier
from pricing.usage import Usage, breakdown, price_tokens

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
#: No cache hits unless told (estimatePrompting's default).
DEFAULT_CACHE_HIT_RATE = 0

# Bounded so that sums of them stay within what every estimator accepts (10^8 tokens).
_Tokens = Annotated[int, Meta(ge=0, le=5 * 10**7)]
_Steps = Annotated[int, Meta(ge=1, le=1000)]
# The inner estimates' own limits, so that the schema says what is accepted.
_RagCount = Annotated[int, Meta(ge=1, le=MAX_COUNT)]
_Examples = Annotated[int, Meta(ge=1, le=MAX_EXAMPLES)]
_ExampleTokens = Annotated[int, Meta(ge=1, le=MAX_TOKENS_PER_EXAMPLE)]
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
        int,
        Meta(
            ge=1,
            le=10**12,
            description="The knowledge corpus RAG indexes, tokens (at most 10^9 per document).",
            examples=[2e7],
        ),
    ]
    corpus_documents: (
        Annotated[
            _RagCount, Meta(description="Documents in the corpus (default: one per 2,000 tokens).")
        ]
        | None
    ) = None
    flowchart: Annotated[
        FlowchartInputs,
        Meta(description="The flowchart's five inputs, as POST /v1/recommendations takes them."),
    ]
    evaluation_metrics: (
        Annotated[
            MetricNames,
            Meta(description="Planned evaluation metrics; none automated is a red flag."),
        ]
        | None
    ) = None
    held_out_test_set: Annotated[
        bool | None, Meta(description="Is a held-out test set kept? false is a red flag.")
    ] = None
    documents_preprocessed: Annotated[
        bool | None, Meta(description="RAG: are documents cleaned first? false is a red flag.")
    ] = None
    large_model: (
        Annotated[ModelId, Meta(description="Model prompted, used by RAG and agents (gpt-4.1).")]
        | None
    ) = None
    small_model: (
        Annotated[ModelId, Meta(description="Base model fine-tuned (gpt-4.1-mini).")] | None
    ) = None
    training_examples: (
        Annotated[
            _Examples,
            Meta(
                description="Examples trained on (default: labeled_example_count, else "
                "example_count, else 1,000)."
            ),
        ]
        | None
    ) = None
    tokens_per_training_example: (
        Annotated[
            _ExampleTokens,
            Meta(description="Tokens of one training example (default input + output tokens)."),
        ]
        | None
    ) = None
    prompt_caching: Annotated[
        bool,
        Meta(
            description="Price prompt caching where the large model offers it (default off); "
            "prompt engineering caches the instructions, agents each step's prefix."
        ),
    ] = False
    cache_hit_rate: (
        Annotated[
            HitRate,
            Meta(
                description="With prompt_caching: share of prompted requests whose instructions "
                "are a cache hit (default 0, as estimatePrompting). Also used for break-even."
            ),
        ]
        | None
    ) = None
    embedding_model: (
        Annotated[
            ModelId,
            Meta(
                description="RAG: embedding model of the corpus and the queries "
                "(default text-embedding-3-small)."
            ),
        ]
        | None
    ) = None
    vector_store: (
        Annotated[
            VectorStoreId,
            Meta(description="RAG: vector store plan id (default pinecone-serverless-standard)."),
        ]
        | None
    ) = None
    chunk_size_tokens: (
        Annotated[_RagCount, Meta(description="RAG: chunk size in tokens (default 512).")] | None
    ) = None
    chunk_overlap_tokens: (
        Annotated[
            int,
            Meta(
                ge=0,
                le=MAX_COUNT,
                description="RAG: overlap between chunks, below the chunk size (default 64).",
            ),
        ]
        | None
    ) = None
    top_k: (
        Annotated[
            _RagCount, Meta(description="RAG: chunks retrieved into each prompt (default 5).")
        ]
        | None
    ) = None
    agent_steps: (
        Annotated[_Steps, Meta(description="Model calls per agent task (default 5).")] | None
    ) = None
    agent_max_steps: (
        Annotated[_Steps, Meta(description="The agent's step limit; none is a red flag.")] | None
    ) = None
    agent_retries: (
        Annotated[
            int,
            Meta(
                ge=0, le=100, description="Agent retries after a failure; none or 0 is a red flag."
            ),
        ]
        | None
    ) = None
    agent_growth_tokens_per_step: (
        Annotated[
            _Tokens,
            Meta(
                description="Tokens each agent step adds to the context (default output_tokens: "
                "the step's output, tool results not counted)."
            ),
        ]
        | None
    ) = None


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
    priced: Annotated[
        bool,
        Meta(
            description="False when the chosen table cannot price a part of this approach: "
            "`not_priced_reason` says why and which field to change; the costs are null."
        ),
    ] = True
    not_priced_reason: Annotated[
        str | None, Meta(description="Why the approach is not priced (null when it is).")
    ] = None
    one_time_usd: Annotated[Decimal | None, Meta(description="Up-front cost, USD.")]
    monthly_usd: Annotated[Decimal | None, Meta(description="Running cost per month, USD.")]
    first_year_usd: Annotated[Decimal | None, Meta(description="one_time + 12 × monthly, USD.")]
    band: Annotated[
        CostBandCheck | None, Meta(description="The estimate against the article's band.")
    ]
    service_tier: Annotated[
        ServiceTier | None,
        Meta(
            description="The tier its model was priced at: the requested one where the model "
            "offers it, else standard (a warning says so)."
        ),
    ] = None
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
    warnings: Annotated[
        list[Notice], Meta(description="The estimator's warnings, and this approach's fallbacks.")
    ] = []
    red_flags: Annotated[list[Notice], Meta(description="Red flags of this approach.")] = []


class BreakEven(msgspec.Struct, kw_only=True):
    """When fine-tuning the small model pays for itself against prompting the large one."""

    prompted_usd_per_request: Annotated[
        Decimal,
        Meta(
            description="The prompt-engineering approach's price of one request (large model, "
            "instructions + input in, output out, with its prompt caching and cache_hit_rate), "
            "USD."
        ),
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
    months: Annotated[
        Decimal | None,
        Meta(
            description=(
                "Months of the workload's volume until the monthly saving, net of the fine-tuned "
                "model's hosting, has paid for the training: training ÷ (requests per month × "
                "saving − hosting per month); without hosting, `requests` ÷ requests per month. "
                "Null when the saving never covers the hosting."
            )
        ),
    ] = None
    monthly_requests_to_cover_hosting: Annotated[
        Decimal | None,
        Meta(description="Where the fine-tuned model pays hourly hosting: hosting ÷ saving."),
    ] = None


class ComparisonEstimate(Estimate, kw_only=True):
    """Four approaches for one workload, the flowchart's pick and the break-even volume."""

    red_flags: Annotated[
        list[Notice],
        Meta(
            description="Every red flag raised: the plan's (as /v1/recommendations raises "
            "them) and each approach's, once per code. Each approach also lists its own."
        ),
    ] = []
    requests_per_month: Annotated[Decimal, Meta(description="The monthly volume priced.")]
    approaches: Annotated[
        list[ApproachCost], Meta(description="Fine-tuning, RAG, prompt engineering, agents.")
    ]
    recommendation: Annotated[
        Recommendation, Meta(description="The flowchart's pick, as /v1/recommendations answers.")
    ]
    cheapest_first_year: Annotated[
        ApproachId | None,
        Meta(description="The priced approach with the lowest first-year cost."),
    ]
    break_even: Annotated[
        BreakEven | None,
        Meta(description="Fine-tuning against prompting; null when either is not priced."),
    ]
    reference_version: Annotated[str, Meta(description="The reference of the columns.")]


def estimate_comparison(catalog: Catalog, request: CompareRequest) -> ComparisonEstimate:
    """Price the workload four ways and put the article's knowledge beside each.

    Raises:
        NotFound: Unknown table version, model, or a component id the request names.
        InvalidInput: A flowchart question on the path has no answer, or an input breaks a
            rule of one of the estimators (reported at the compare field to change).
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    reference = shipped_library().for_table(context.table)
    plan = _Plan(catalog, request, context)

    try:
        recommendation = recommend(
            _recommendation_request(request), reference, context.table.version
        )
    except InvalidInput as error:
        raise InvalidInput(nest("$.flowchart", error.path), error.reason) from None
    results: dict[ApproachId, WorkloadEstimate | str] = {
        "fine_tuning": plan.price("fine_tuning", estimate_training, plan.training()),
        "rag": plan.price("rag", estimate_rag, plan.rag()),
        "prompt_engineering": plan.price(
            "prompt_engineering", estimate_prompting, plan.prompting()
        ),
        "agents": plan.price("agents", estimate_agent, plan.agent()),
    }
    approaches = [
        _approach(reference.approach(a), result, reference, plan) for a, result in results.items()
    ]
    priced = [a for a in approaches if a.priced]
    even = break_even(context, plan, results["prompt_engineering"], results["fine_tuning"])
    return ComparisonEstimate(
        pricing_version=context.table.version,
        assumptions=[*context.assumptions, *plan.assumptions],
        warnings=[*plan.all_warnings(), *_not_priced(approaches), *_hosting_notice(even)],
        red_flags=_once_per_code(
            [*recommendation.red_flags, *(f for a in approaches for f in a.red_flags)]
        ),
        requests_per_month=plan.volume,
        approaches=approaches,
        recommendation=recommendation,
        cheapest_first_year=(
            min(priced, key=lambda a: a.first_year_usd or 0).approach if priced else None
        ),
        break_even=even,
        reference_version=reference.version,
    )


#: Where each field of an approach's own request comes from in the compare request.
_COMMON_FIELDS = {f"$.{name}": f"$.{name}" for name in ("pricing_version", "at", "service_tier")}
_FIELDS: dict[ApproachId, dict[str, str]] = {
    "prompt_engineering": {
        "$.model": "$.large_model",
        "$.requests_per_month": "$.requests_per_month",
        "$.system_prompt_tokens": "$.instruction_tokens",
        "$.variable_input_tokens": "$.input_tokens",
        "$.output_tokens": "$.output_tokens",
        "$.prompt_caching": "$.prompt_caching",
        "$.cache_hit_rate": "$.cache_hit_rate",
    },
    "rag": {
        "$.model": "$.large_model",
        "$.documents": "$.corpus_documents",
        "$.tokens_per_document": "$.corpus_tokens",
        "$.chunk_size_tokens": "$.chunk_size_tokens",
        "$.chunk_overlap_tokens": "$.chunk_overlap_tokens",
        "$.embedding_model": "$.embedding_model",
        "$.vector_store": "$.vector_store",
        "$.queries_per_month": "$.requests_per_month",
        "$.question_tokens": "$.input_tokens",
        "$.system_prompt_tokens": "$.instruction_tokens",
        "$.top_k": "$.top_k",
        "$.output_tokens": "$.output_tokens",
        "$.documents_preprocessed": "$.documents_preprocessed",
    },
    "fine_tuning": {
        "$.model": "$.small_model",
        "$.examples": "$.training_examples",
        "$.tokens_per_example": "$.tokens_per_training_example",
        "$.inference": "$.small_model",
        "$.inference.requests_per_month": "$.requests_per_month",
        "$.inference.usage.input_tokens": "$.input_tokens",
        "$.inference.usage.output_tokens": "$.output_tokens",
    },
    "agents": {
        "$.model": "$.large_model",
        "$.tasks_per_month": "$.requests_per_month",
        "$.steps_per_task": "$.agent_steps",
        "$.max_steps": "$.agent_max_steps",
        "$.initial_prompt_tokens": "$.instruction_tokens",
        "$.growth_tokens_per_step": "$.agent_growth_tokens_per_step",
        "$.output_tokens_per_step": "$.output_tokens",
        "$.max_retries": "$.agent_retries",
        "$.prompt_caching": "$.prompt_caching",
    },
}
_LAST_STEP = re.compile(r"(\.[^.\[]+|\[\d+\])$")
_AT_PATH = " - at `"


def compare_field(approach: ApproachId, inner_path: str | None) -> str:
    """The compare field an approach's request field comes from (``$`` when none does).

    A nested path falls back to its nearest mapped parent: ``$.inference.usage`` of the
    fine-tuning request is the small model's, for instance.
    """
    fields = {**_COMMON_FIELDS, **_FIELDS[approach]}
    path = inner_path or "$"
    while path not in fields and path != "$":
        path = _LAST_STEP.sub("", path) or "$"
    return fields.get(path, "$")


class _Plan:
    """The workload with every default resolved, and the request of each estimator."""

    def __init__(self, catalog: Catalog, request: CompareRequest, context: PricingContext):
        self.catalog = catalog
        self.request = request
        self.context = context
        self.assumptions: list[Assumption] = []
        self.defaults: dict[str, object] = {}
        self.notes: dict[ApproachId, list[Notice]] = {}
        self.volume = to_decimal(request.requests_per_month)
        self.large = str(self._default("large_model", request.large_model, DEFAULT_LARGE_MODEL))
        self.small = str(self._default("small_model", request.small_model, DEFAULT_SMALL_MODEL))
        # Resolved here so that an unknown id names the field of this request.
        with self._default_named("large_model"):
            large, _ = context.table.resolve_model(self.large, "$.large_model", kind="chat")
        with self._default_named("small_model"):
            self.fine_tune = context.table.resolve_fine_tune(self.small, "$.small_model")
        on_large: list[ApproachId] = ["prompt_engineering", "rag", "agents"]
        self.large_tier = self._tier(large, on_large)
        self.small_tier = self._tier(self.fine_tune.model, ["fine_tuning"])
        self.caching = self._caching(large)

    @contextmanager
    def _default_named(self, name: str) -> Iterator[None]:
        """Say so when an id this request did not send, a default, is unknown to the table.

        Raises:
            NotFound: The id is unknown; its note names the default and the field to give.
        """
        try:
            yield
        except NotFound as error:
            if name not in self.defaults:
                raise
            # "unknown model 'gpt-4.1'" at a field the client never sent reads as a typo of
            # theirs; on the article's table (2026-03-30) every default is unknown.
            raise NotFound(
                error.kind,
                error.requested,
                error.suggestions,
                error.path,
                f"the default of `{name}`, which the table "
                f"{self.context.table.version} does not price: give `{name}`",
            ) from None

    def _default(self, name: str, given: object, default: object, note: str = "") -> object:
        if given is not None:
            return given
        self.defaults[name] = default
        self.assumptions.append(
            Assumption(name=name, value=assumption_text(default), note=note or None)
        )
        return default

    def _note(self, approaches: list[ApproachId], notice: Notice) -> None:
        for approach in approaches:
            self.notes.setdefault(approach, []).append(notice)

    def _tier(self, model: ChatModel | None, approaches: list[ApproachId]) -> ServiceTier:
        """The requested tier where the model offers it, else standard with a warning."""
        tier = self.request.service_tier
        offered = model.service_tiers() if model is not None else [tier]
        if tier in offered or DEFAULT_SERVICE_TIER not in offered or model is None:
            return tier
        self._note(
            approaches,
            Notice(
                code="service_tier_not_offered",
                message=(
                    f"service_tier {tier!r} is not offered for {model.id} (offered: "
                    f"{', '.join(offered)}): {', '.join(approaches)} priced at standard rates"
                ),
            ),
        )
        return DEFAULT_SERVICE_TIER

    def _caching(self, large: ChatModel) -> bool:
        """Whether caching is priced; the hit rate is resolved (and echoed) when it is."""
        request = self.request
        self.hit_rate: float | None = None
        if request.prompt_caching and large.caching is None:
            self._note(
                ["prompt_engineering", "agents"],
                Notice(
                    code="prompt_caching_not_offered",
                    message=(
                        f"{large.id} has no prompt cache in the table: prompt_engineering and "
                        "agents priced without caching"
                    ),
                ),
            )
        if not request.prompt_caching:
            # Unlike estimatePrompting and estimateAgent, compare prices no cache unless asked
            # (DESIGN §4.8): say so, since for a model that caches automatically the agents'
            # figure is then an upper bound (about twice estimateAgent's for one workload).
            if large.caching is None:
                why = f"{large.id} has no prompt cache in the table"
            elif large.caching.mode == "automatic":
                why = (
                    f"{large.id} caches prefixes automatically, which compare prices only "
                    "when prompt_caching is true"
                )
            else:
                why = "set prompt_caching to true to price the cache"
            note = f"prompt engineering and agents priced uncached: {why}"
            self.assumptions.append(Assumption(name="prompt_caching", value="off", note=note))
        if not request.prompt_caching or large.caching is None:
            if request.cache_hit_rate is not None:
                self._note(
                    ["prompt_engineering"],
                    Notice(
                        code="cache_hit_rate_unused",
                        message="cache_hit_rate prices nothing without prompt caching",
                    ),
                )
            return False

        hit_rate = self._default(
            "cache_hit_rate",
            request.cache_hit_rate,
            DEFAULT_CACHE_HIT_RATE,
            "no cache hits assumed, as estimatePrompting",
        )
        self.hit_rate = float(hit_rate)  # type: ignore[arg-type]
        if self.hit_rate == 0 and large.caching.mode == "explicit":
            self._note(
                ["prompt_engineering"],
                Notice(
                    code="cache_without_hits",
                    message=(
                        "prompt caching at cache_hit_rate 0: every request writes the "
                        "instructions to the cache at the write rate and none reads them, so "
                        "caching costs more than it saves; give the expected cache_hit_rate"
                    ),
                ),
            )
        return True

    def all_warnings(self) -> list[Notice]:
        """Every fallback, once, for the top level of the answer."""
        return _once_per_message([n for notes in self.notes.values() for n in notes])

    def _common(self, tier: ServiceTier) -> dict[str, object]:
        return {
            "pricing_version": self.context.table.version,
            "at": self.context.at,
            "service_tier": tier,
        }

    def prompting(self) -> PromptingRequest:
        request = self.request
        return PromptingRequest(
            **self._common(self.large_tier),
            model=self.large,
            requests_per_month=request.requests_per_month,
            system_prompt_tokens=request.instruction_tokens,
            variable_input_tokens=request.input_tokens,
            output_tokens=request.output_tokens,
            prompt_caching=self.caching,
            cache_hit_rate=self.hit_rate,
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
        if documents > request.corpus_tokens:
            # Every document holds at least one token: more documents than tokens would embed
            # and store one token per document, many times the corpus.
            raise InvalidInput(
                "$.corpus_documents",
                f"{documents:,} documents cannot hold a corpus of {request.corpus_tokens:,} "
                "tokens: give at most one document per corpus token",
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
        default = self._default
        return RagRequest(
            **self._common(self.large_tier),
            model=self.large,
            documents=documents,
            tokens_per_document=per_document,
            chunk_size_tokens=default(
                "chunk_size_tokens", request.chunk_size_tokens, DEFAULT_CHUNK_SIZE
            ),
            chunk_overlap_tokens=default(
                "chunk_overlap_tokens", request.chunk_overlap_tokens, DEFAULT_CHUNK_OVERLAP
            ),
            embedding_model=default(
                "embedding_model", request.embedding_model, DEFAULT_EMBEDDING_MODEL
            ),
            vector_store=default("vector_store", request.vector_store, DEFAULT_VECTOR_STORE),
            queries_per_month=request.requests_per_month,
            question_tokens=request.input_tokens,
            system_prompt_tokens=request.instruction_tokens,
            top_k=default("top_k", request.top_k, DEFAULT_TOP_K),
            output_tokens=request.output_tokens,
            documents_preprocessed=request.documents_preprocessed,
        )

    def training(self) -> ApiTrainingRequest:
        request = self.request
        flowchart = request.flowchart
        counted = flowchart.labeled_example_count or flowchart.example_count
        examples = request.training_examples
        if examples is None and counted:
            source = "labeled_example_count" if flowchart.labeled_example_count else "example_count"
            examples = int(self._default("training_examples", None, counted, f"the {source}"))
        if examples is None:
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
            **self._common(self.small_tier),
            model=self.small,
            examples=examples,
            tokens_per_example=tokens,
            inference=inference,
        )

    def agent(self) -> AgentRequest:
        request = self.request
        steps = self._default("agent_steps", request.agent_steps, DEFAULT_AGENT_STEPS, "per task")
        growth = self._default(
            "agent_growth_tokens_per_step",
            request.agent_growth_tokens_per_step,
            request.output_tokens,
            "each step appends its output; tool results are not counted",
        )
        return AgentRequest(
            **self._common(self.large_tier),
            model=self.large,
            tasks_per_month=request.requests_per_month,
            steps_per_task=steps,
            max_steps=request.agent_max_steps,
            initial_prompt_tokens=request.instruction_tokens + request.input_tokens,
            growth_tokens_per_step=growth,
            output_tokens_per_step=request.output_tokens,
            max_retries=request.agent_retries,
            prompt_caching=self.caching,
        )

    def usage(self, input_tokens: int) -> Usage:
        """One request's usage with this input and the workload's output."""
        return Usage(input_tokens=input_tokens, output_tokens=self.request.output_tokens)

    def tier_of(self, approach: ApproachId) -> ServiceTier:
        """The service tier an approach's model is priced at."""
        return self.small_tier if approach == "fine_tuning" else self.large_tier

    def price(
        self,
        approach: ApproachId,
        estimate: Callable[[Catalog, Any], WorkloadEstimate],
        request: Any,
    ) -> WorkloadEstimate | str:
        """One approach's estimate, or why the table cannot price it.

        The sub-request is checked against its own schema first (building a Struct in Python
        checks no constraint). A refusal is reported at the compare field to change.

        Raises:
            InvalidInput: The estimator refuses a value of this request (or a default of it).
            NotFound: An id this request names is unknown.
        """
        try:
            checked = msgspec.convert(msgspec.to_builtins(request), type(request))
            return estimate(self.catalog, checked)
        except msgspec.ValidationError as error:
            reason, _, inner = str(error).partition(_AT_PATH)
            raise self._refusal(approach, inner.rstrip("`") or "$", reason) from None
        except InvalidInput as error:
            if approach == "fine_tuning" and error.path == "$.inference":
                return (
                    f"the table {self.context.table.version} has no fine-tuned inference price "
                    f"for {self.fine_tune.base}: pick another small_model"
                )
            raise self._refusal(approach, error.path, error.reason) from None
        except NotFound as error:
            return self._not_found(approach, error)

    def _refusal(self, approach: ApproachId, inner: str, reason: str) -> InvalidInput:
        field = compare_field(approach, inner)
        name, inner_name = field.removeprefix("$."), inner.removeprefix("$.")
        where = f"in the {approach} estimate"
        if inner_name != name and inner != "$":
            where += f" as `{inner_name}`"
        if name in self.defaults:
            where += f"; `{name}` was not sent: its default is {self.defaults[name]}"
        return InvalidInput(field, f"{reason} ({where})")

    def _not_found(self, approach: ApproachId, error: NotFound) -> str:
        """Why an approach is not priced when a default id is not in the table.

        Raises:
            NotFound: The id came from this request: reported at its field.
        """
        field = compare_field(approach, error.path)
        name = field.removeprefix("$.")
        if name not in self.defaults:
            error.path = field
            raise error
        closest = f" (closest: {', '.join(error.suggestions)})" if error.suggestions else ""
        return (
            f"the table {self.context.table.version} has no {error.kind} {error.requested!r}, "
            f"the default of `{name}`{closest}: give `{name}` to price {approach}"
        )


def _not_priced(approaches: list[ApproachCost]) -> list[Notice]:
    return [
        Notice(code="approach_not_priced", message=f"{a.approach}: {a.not_priced_reason}")
        for a in approaches
        if not a.priced
    ]


def _once_per_code(notices: list[Notice]) -> list[Notice]:
    seen: dict[str, Notice] = {}
    for notice in notices:
        seen.setdefault(notice.code, notice)
    return list(seen.values())


def _once_per_message(notices: list[Notice]) -> list[Notice]:
    return list({notice.message: notice for notice in notices}.values())


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
    profile: ApproachProfile,
    result: WorkloadEstimate | str,
    reference: ReferenceDocument,
    plan: _Plan,
) -> ApproachCost:
    columns: dict[str, Any] = {
        "approach": profile.id,
        "name": profile.name,
        "latency": profile.latency,
        "accuracy": profile.accuracy,
        "setup_time": profile.setup_time,
        "maintenance": profile.maintenance,
        "when_to_use": profile.when_to_use,
        "failure_modes": reference.failure_modes_of(profile.id),
    }
    notes = plan.notes.get(profile.id, [])
    if isinstance(result, str):
        return ApproachCost(
            **columns,
            priced=False,
            not_priced_reason=result,
            one_time_usd=None,
            monthly_usd=None,
            first_year_usd=None,
            band=None,
            warnings=notes,
        )
    return ApproachCost(
        **columns,
        one_time_usd=result.one_time_usd,
        monthly_usd=result.monthly_usd,
        first_year_usd=result.first_year_usd,
        band=band_check(profile, result.one_time_usd, result.monthly_usd),
        service_tier=plan.tier_of(profile.id),
        model=result.model,
        line_items=result.line_items,
        assumptions=result.assumptions,
        warnings=[*notes, *result.warnings],
        red_flags=result.red_flags,
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


def _hosting_notice(even: BreakEven | None) -> list[Notice]:
    # A saving per request with no break-even month means hosting eats the whole saving.
    if even is None or even.requests is None or even.months is not None:
        return []
    needed = even.monthly_requests_to_cover_hosting
    return [
        Notice(
            code="fine_tuning_hosting_exceeds_saving",
            message=(
                "the fine-tuned model's hosting costs more each month than it saves at this "
                f"volume, so fine-tuning never pays back its training: it needs more than "
                f"{needed:,.0f} requests a month to cover the hosting"
            ),
        )
    ]


def break_even(
    context: PricingContext,
    plan: _Plan,
    prompting: WorkloadEstimate | str,
    training: WorkloadEstimate | str,
) -> BreakEven | None:
    """Requests after which fine-tuning the small model has paid for its training.

    N = training cost ÷ (prompted large model per request − fine-tuned small model per request).
    The prompted price is the prompt-engineering approach's own (its caching and hit rate);
    the fine-tuned one is priced with the usage primitive at the small model's tier. None when
    either approach is not priced; no volume when fine-tuning saves nothing per request.
    """
    if not isinstance(prompting, PromptingEstimate) or not isinstance(training, TrainingEstimate):
        return None
    small = plan.fine_tune.model
    if small is None:  # a priced fine-tuning has inference prices; kept for the type checker
        return None

    prompted = prompting.usd_per_request
    usage = plan.usage(plan.request.input_tokens)
    fine_tuned = price_tokens(
        small,
        breakdown(usage, "$.small_model"),
        input_tokens=usage.input_tokens,
        service_tier=plan.small_tier,
        at=context.at,
        path="$.small_model",
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
    hourly = training.api.hosting_usd_per_hour if training.api else None
    hosting = Decimal(0) if hourly is None else hourly * HOURS_PER_MONTH
    if hourly is not None:
        result.monthly_requests_to_cover_hosting = hosting / saving
    # Hosting is paid every month whether or not requests come, so only the saving left after
    # it pays the training back; ignoring it answered "2 days" for a deployment that never pays.
    net_monthly_saving = plan.volume * saving - hosting
    if net_monthly_saving > 0:
        result.months = training.training_usd / net_monthly_saving
    return result
