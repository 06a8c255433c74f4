"""estimateRag: one-time indexing and monthly spend of a retrieval-augmented application.

One-time: embedding the chunked corpus and writing its vectors. Monthly: re-embedding and
rewriting the documents that change, vector storage and reads, the store's monthly minimum,
query embeddings, generation over the retrieved chunks and reranking. A response-cache hit
skips generation, reranking and the query embedding (DESIGN §4.4).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog, ModelMatch
from pricing.entries import Reranker, VectorStore
from pricing.errors import InvalidInput
from pricing.estimators.common import (
    PricingContext,
    WorkloadEstimate,
    batch_not_interactive,
    echo_default,
    long_prompt_flag,
    to_decimal,
)
from pricing.estimators.workload import (
    HitRate,
    PricedModel,
    Scale,
    WorkloadRequest,
    given_or_default,
    monthly_volume,
    notices,
    pick_model,
    priced_line,
    volume_field,
    workload_fields,
)
from pricing.results import LineItem, Notice
from pricing.schema import InlineRates
from pricing.units import Dimension, to_canonical
from pricing.usage import TokenBreakdown

#: The largest count a RAG request takes (documents, tokens, chunk sizes, top_k).
MAX_COUNT = 10**9
_Tokens = Annotated[int, Meta(ge=0, le=MAX_COUNT)]
_Positive = Annotated[int, Meta(ge=1, le=MAX_COUNT)]
_Rate = Annotated[float, Meta(ge=0, description="A rate in the field's unit; 0 means free.")]
VectorStoreId = Annotated[
    str, Meta(min_length=1, max_length=200, examples=["pinecone-serverless-standard"])
]

BYTES_PER_FLOAT32 = 4
BYTES_PER_KB = Decimal(1000)
BYTES_PER_GB = Decimal(10**9)
DEFAULT_METADATA_BYTES = 1000
DEFAULT_DOCUMENTS_PER_SEARCH = 100
DEFAULT_MIN_READ_UNITS = 0.25
EMBEDDING_SERVICE_TIER = "standard"

QueriesPerMonth = volume_field("queries", "month", 100_000)
QueriesPerDay = volume_field("queries", "day", 3_300)


class RerankerRates(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Inline reranker prices (instead of a table `reranker` id)."""

    usd_per_1k_searches: Annotated[
        _Rate, Meta(description="USD per 1,000 searches.", examples=[2.0])
    ]
    documents_per_search: Annotated[
        int, Meta(ge=1, le=10**6, description="Documents one search unit covers (default 100).")
    ] = DEFAULT_DOCUMENTS_PER_SEARCH


class VectorStoreRates(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Inline vector-store prices (instead of a table `vector_store` id)."""

    storage_usd_per_gb_month: Annotated[
        _Rate, Meta(description="USD per decimal GB-month stored.", examples=[0.33])
    ]
    read_usd_per_1m_units: Annotated[
        _Rate, Meta(description="USD per 1M read units.", examples=[16])
    ]
    write_usd_per_1m_units: Annotated[
        _Rate, Meta(description="USD per 1M write units.", examples=[4])
    ]
    monthly_minimum_usd: Annotated[
        _Rate, Meta(description="The plan's monthly minimum bill, USD (default 0).")
    ] = 0.0
    min_read_units_per_query: Annotated[
        float,
        Meta(gt=0, le=10**6, description="Read units a query costs at least (default 0.25)."),
    ] = DEFAULT_MIN_READ_UNITS


class RagRequest(WorkloadRequest, kw_only=True, forbid_unknown_fields=True):
    """A RAG application: corpus, chunking, embedding, vector store, queries and generation.

    `model` or `rates` is the generator (a chat model).
    """

    documents: Annotated[_Positive, Meta(description="Documents in the corpus.", examples=[10000])]
    tokens_per_document: Annotated[
        _Positive, Meta(description="Average tokens of one document (L).", examples=[2000])
    ]
    chunk_size_tokens: Annotated[
        _Positive, Meta(description="Chunk size in tokens (C).", examples=[512])
    ]
    chunk_overlap_tokens: (
        Annotated[
            _Tokens,
            Meta(description="Overlap between chunks (O), below chunk_size_tokens.", examples=[64]),
        ]
        | None
    ) = None
    embedding_model: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=200,
                description="An embedding model id from the table.",
                examples=["text-embedding-3-small"],
            ),
        ]
        | None
    ) = None
    embedding_rates: (
        Annotated[
            InlineRates, Meta(description="Inline embedding rates (`input`) instead of an id.")
        ]
        | None
    ) = None
    embedding_dimensions: (
        Annotated[
            int, Meta(ge=1, le=65536, description="Vector dimensions (default: the model's).")
        ]
        | None
    ) = None
    metadata_bytes_per_record: (
        Annotated[
            int,
            Meta(ge=0, le=10**7, description="Metadata stored with each vector (default 1,000 B)."),
        ]
        | None
    ) = None
    vector_store: (
        Annotated[VectorStoreId, Meta(description="A vector store plan id from the table.")] | None
    ) = None
    vector_store_rates: (
        Annotated[
            VectorStoreRates, Meta(description="Inline vector-store prices instead of an id.")
        ]
        | None
    ) = None
    changed_documents_share_per_month: (
        Annotated[
            float,
            Meta(
                ge=0,
                le=1,
                description="Share of documents re-embedded and rewritten each month (default 0).",
                examples=[0.1],
            ),
        ]
        | None
    ) = None
    queries_per_month: QueriesPerMonth | None = None
    queries_per_day: QueriesPerDay | None = None
    question_tokens: Annotated[
        _Tokens, Meta(description="Tokens of one question (embedded, then sent).", examples=[20])
    ]
    system_prompt_tokens: Annotated[
        _Tokens, Meta(description="System prompt tokens per query.", examples=[500])
    ]
    history_tokens: (
        Annotated[_Tokens, Meta(description="Conversation history sent per query (default 0).")]
        | None
    ) = None
    top_k: Annotated[
        _Positive, Meta(description="Chunks retrieved into the prompt (k).", examples=[5])
    ]
    output_tokens: Annotated[
        _Tokens, Meta(description="Generated tokens per query.", examples=[300])
    ]
    reranker: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=200,
                description="A reranker id from the table.",
                examples=["rerank-v3.5"],
            ),
        ]
        | None
    ) = None
    reranker_rates: (
        Annotated[RerankerRates, Meta(description="Inline reranker prices instead of an id.")]
        | None
    ) = None
    rerank_candidates: (
        Annotated[
            _Positive,
            Meta(
                description=(
                    "Candidates reranked per query (needed with a reranker, refused without)."
                ),
                examples=[50],
            ),
        ]
        | None
    ) = None
    response_cache_hit_rate: (
        Annotated[
            HitRate,
            Meta(
                description=(
                    "Share of queries answered from a response cache: they skip generation, "
                    "reranking and the query embedding (default 0)."
                )
            ),
        ]
        | None
    ) = None
    documents_preprocessed: (
        Annotated[
            bool,
            Meta(description="Whether documents are cleaned before chunking; false is a red flag."),
        ]
        | None
    ) = None


class RagEstimate(WorkloadEstimate, kw_only=True):
    """One-time indexing and monthly RAG spend. `model` is the generator."""

    embedding_model: Annotated[
        ModelMatch, Meta(description="The resolved embedding model and how it matched.")
    ]
    vector_store: Annotated[str, Meta(description="The vector store plan priced (or `inline`).")]
    reranker: Annotated[
        str | None, Meta(description="The reranker priced (or `inline`); None without one.")
    ] = None
    queries_per_month: Annotated[Decimal, Meta(description="The monthly volume priced.")]
    chunks_per_document: Annotated[int, Meta(description="n = 1 if L ≤ C, else ⌈(L − O)/(C − O)⌉.")]
    records: Annotated[int, Meta(description="Vectors stored: documents × chunks per document.")]
    chunks_per_query: Annotated[
        int,
        Meta(description="Chunks retrieved into each prompt: top_k, at most the records stored."),
    ]
    embedding_dimensions: Annotated[
        int, Meta(description="Vector dimensions stored: as given, else the embedding model's.")
    ]
    embedded_tokens: Annotated[
        int, Meta(description="Corpus tokens embedded once: documents × (L + (n − 1) × O).")
    ]
    record_bytes: Annotated[int, Meta(description="4 × dimensions + metadata bytes.")]
    vector_store_gb: Annotated[Decimal, Meta(description="records × record_bytes, decimal GB.")]
    read_units_per_query: Annotated[
        Decimal, Meta(description="max(store minimum, namespace GB) read units.")
    ]
    prompt_tokens_per_query: Annotated[
        int,
        Meta(
            description=(
                "system + history + question + chunks_per_query × chunk size (an upper bound)."
            )
        ),
    ]
    vector_store_usage_usd: Annotated[
        Decimal, Meta(description="Monthly storage, reads and update writes, USD.")
    ]
    vector_store_monthly_usd: Annotated[
        Decimal, Meta(description="The store's monthly bill: max(usage, minimum), USD.")
    ]


class RagPlan(msgspec.Struct, frozen=True, kw_only=True):
    """A RAG workload with every default applied and every id resolved."""

    generator: PricedModel
    embedder: PricedModel
    store: VectorStore
    reranker: Reranker | None
    documents: int
    chunks_per_document: int
    embedded_tokens_per_document: int
    dimensions: int
    record_bytes: int
    chunks_per_query: int
    changed_share: Decimal
    queries: Decimal
    question_tokens: int
    prompt_tokens: int
    output_tokens: int
    rerank_candidates: int
    response_cache_hit_rate: Decimal

    @property
    def records(self) -> int:
        """Vectors stored."""
        return self.documents * self.chunks_per_document

    @property
    def store_gb(self) -> Decimal:
        """Namespace size, decimal GB."""
        return Decimal(self.records * self.record_bytes) / BYTES_PER_GB

    @property
    def read_units_per_query(self) -> Decimal:
        """Read units one query costs."""
        return max(self.store.min_read_units_per_query, self.store_gb)

    def searches(self, scale: Scale) -> Decimal:
        """Queries a month that the response cache misses.

        Each is embedded, searched, reranked and answered; a cached answer does none of that.
        """
        return self.queries * scale.volume * (1 - self.response_cache_hit_rate)


def chunking(
    tokens_per_document: int, chunk_size: int, overlap: int, path: str = "$.chunk_overlap_tokens"
) -> tuple[int, int]:
    """Chunks per document and tokens embedded per document (the last chunk is short).

    Returns:
        n = 1 if L ≤ C else ⌈(L − O)/(C − O)⌉, and L + (n − 1) × O.

    Raises:
        InvalidInput: The overlap is not below the chunk size (a splitter would never advance).
    """
    if overlap >= chunk_size:
        raise InvalidInput(
            path, f"overlap {overlap} must be below the chunk size {chunk_size} tokens"
        )
    if tokens_per_document <= chunk_size:
        return 1, tokens_per_document
    stride = chunk_size - overlap
    chunks = -(-(tokens_per_document - overlap) // stride)
    return chunks, tokens_per_document + (chunks - 1) * overlap


def estimate_rag(catalog: Catalog, request: RagRequest) -> RagEstimate:
    """Price indexing and a month of a RAG application.

    Raises:
        NotFound: Unknown table version, model, embedding model, reranker or vector store.
        InvalidInput: Overlap ≥ chunk size, bad volume, a missing or doubled choice, or an
            unpriced class.
    """
    context = PricingContext.open(catalog, request.pricing_version, request.at)
    plan = rag_plan(context, request)

    fields = workload_fields(
        context,
        lambda scale: rag_items(plan, scale),
        request.uncertainty,
        priced=plan.generator,
        warnings=_warnings(plan, request),
        red_flags=notices(
            long_prompt_flag(plan.prompt_tokens),
            _not_preprocessed(request.documents_preprocessed),
        ),
    )
    usage, bill = store_totals(fields["line_items"])
    return RagEstimate(
        **fields,
        embedding_model=plan.embedder.match,
        vector_store=plan.store.id,
        reranker=plan.reranker.id if plan.reranker else None,
        queries_per_month=plan.queries,
        chunks_per_document=plan.chunks_per_document,
        records=plan.records,
        chunks_per_query=plan.chunks_per_query,
        embedding_dimensions=plan.dimensions,
        embedded_tokens=plan.documents * plan.embedded_tokens_per_document,
        record_bytes=plan.record_bytes,
        vector_store_gb=plan.store_gb,
        read_units_per_query=plan.read_units_per_query,
        prompt_tokens_per_query=plan.prompt_tokens,
        vector_store_usage_usd=usage,
        vector_store_monthly_usd=bill,
    )


def rag_plan(context: PricingContext, request: RagRequest) -> RagPlan:
    """Resolve every id and apply every default (each echoed in ``assumptions``).

    Raises:
        NotFound: An id does not resolve.
        InvalidInput: A rule of the request is broken.
    """
    overlap = given_or_default(
        context, "chunk_overlap_tokens", request.chunk_overlap_tokens, 0, "no overlap"
    )
    chunks, embedded = chunking(request.tokens_per_document, request.chunk_size_tokens, overlap)
    context.assume(
        "chunking",
        "n = 1 if L <= C else ceil((L - O)/(C - O)); embedded = L + (n - 1) × O",
        "exact per document: the last chunk is short",
    )
    queries = monthly_volume(context, request.queries_per_month, request.queries_per_day, "queries")
    generator = pick_model(context, request.model, request.rates, request.service_tier)
    embedder = _embedder(context, request)
    history = given_or_default(context, "history_tokens", request.history_tokens, 0, "no history")
    metadata = given_or_default(
        context,
        "metadata_bytes_per_record",
        request.metadata_bytes_per_record,
        DEFAULT_METADATA_BYTES,
        "Pinecone's documented example; record ids are not counted",
    )
    share = given_or_default(
        context,
        "changed_documents_share_per_month",
        request.changed_documents_share_per_month,
        0,
        "the corpus does not change",
    )
    hit_rate = given_or_default(
        context,
        "response_cache_hit_rate",
        request.response_cache_hit_rate,
        0,
        "no response cache",
    )
    records = request.documents * chunks
    reranker, candidates = _reranker(context, request, records)
    if request.documents_preprocessed is None:
        context.assume(
            "documents_preprocessed", "not stated", "the red flag is raised only when false"
        )
    dimensions = _dimensions(context, request, embedder)
    retrieved = min(request.top_k, records)
    return RagPlan(
        generator=generator,
        embedder=embedder,
        store=_store(context, request),
        reranker=reranker,
        documents=request.documents,
        chunks_per_document=chunks,
        embedded_tokens_per_document=embedded,
        dimensions=dimensions,
        record_bytes=BYTES_PER_FLOAT32 * dimensions + metadata,
        chunks_per_query=retrieved,
        changed_share=to_decimal(share),
        queries=queries,
        question_tokens=request.question_tokens,
        prompt_tokens=(
            request.system_prompt_tokens
            + history
            + request.question_tokens
            + retrieved * request.chunk_size_tokens
        ),
        output_tokens=request.output_tokens,
        rerank_candidates=candidates,
        response_cache_hit_rate=to_decimal(hit_rate),
    )


def rag_items(plan: RagPlan, scale: Scale) -> list[LineItem]:
    """Every line of a RAG estimate at a scale (volume scales queries, tokens scale prompts)."""
    return [*corpus_items(plan), *store_items(plan, scale), *query_items(plan, scale)]


def corpus_items(plan: RagPlan) -> list[LineItem]:
    """One-time corpus embedding and initial writes; monthly re-embedding of changed documents."""
    per_document = TokenBreakdown(input=plan.embedded_tokens_per_document)
    size = Decimal(plan.embedded_tokens_per_document)
    items = plan.embedder.price(
        per_document,
        input_tokens=size,
        requests=Decimal(plan.documents),
        label="corpus_embedding_",
        recurrence="one_time",
    )
    items.append(
        priced_line(
            "initial_vector_writes",
            plan.records * _write_units_per_record(plan),
            "write_units",
            plan.store.write_usd_per_1m_units,
            "usd_per_1m_write_units",
            recurrence="one_time",
        )
    )
    changed_documents = plan.documents * plan.changed_share
    if changed_documents:
        items += plan.embedder.price(
            per_document, input_tokens=size, requests=changed_documents, label="reembedding_"
        )
    return items


def store_items(plan: RagPlan, scale: Scale) -> list[LineItem]:
    """Monthly storage, reads, update writes and the top-up to the store's minimum."""
    store = plan.store
    items = [
        priced_line(
            "vector_storage",
            plan.store_gb,
            "gb_months",
            store.storage_usd_per_gb_month,
            "usd_per_gb_month",
        ),
        priced_line(
            "vector_reads",
            plan.searches(scale) * plan.read_units_per_query,
            "read_units",
            store.read_usd_per_1m_units,
            "usd_per_1m_read_units",
        ),
    ]
    changed_records = plan.records * plan.changed_share
    if changed_records:
        # An update pays for writing the new record and for the old one it replaces.
        items.append(
            priced_line(
                "vector_update_writes",
                2 * changed_records * _write_units_per_record(plan),
                "write_units",
                store.write_usd_per_1m_units,
                "usd_per_1m_write_units",
            )
        )
    usage = sum((item.cost_usd for item in items), Decimal(0))
    if usage < store.monthly_minimum_usd:
        items.append(
            priced_line(
                "vector_store_minimum_top_up",
                store.monthly_minimum_usd - usage,
                "usd_below_minimum",
                Decimal(1),
                "usd_per_usd",
            )
        )
    return items


def query_items(plan: RagPlan, scale: Scale) -> list[LineItem]:
    """Monthly query embeddings, generation and reranking of the queries the cache misses."""
    answered = plan.searches(scale)
    question = scale.of(plan.question_tokens)
    prompt = scale.of(plan.prompt_tokens)
    items = plan.embedder.price(
        TokenBreakdown(input=question),
        input_tokens=question,
        requests=answered,
        label="query_embedding_",
    )
    items += plan.generator.price(
        TokenBreakdown(input=prompt, output=scale.of(plan.output_tokens)),
        input_tokens=prompt,
        requests=answered,
        label="generation_",
    )
    if plan.reranker is not None:
        per_query = -(-plan.rerank_candidates // plan.reranker.documents_per_search)
        items.append(
            priced_line(
                "reranking",
                answered * per_query,
                "searches",
                plan.reranker.usd_per_1k_searches,
                "usd_per_1k_searches",
            )
        )
    return items


_STORE_LINES = (
    "vector_storage",
    "vector_reads",
    "vector_update_writes",
    "vector_store_minimum_top_up",
)


def store_totals(items: list[LineItem]) -> tuple[Decimal, Decimal]:
    """The store's monthly usage (without the top-up) and its bill (with it)."""
    lines = [item for item in items if item.name in _STORE_LINES]
    bill = sum((item.cost_usd for item in lines), Decimal(0))
    top_up = sum(
        (item.cost_usd for item in lines if item.name == "vector_store_minimum_top_up"),
        Decimal(0),
    )
    return bill - top_up, bill


def _write_units_per_record(plan: RagPlan) -> Decimal:
    # One write unit per KB (1,000 bytes) of record, fractional.
    return Decimal(plan.record_bytes) / BYTES_PER_KB


def _embedder(context: PricingContext, request: RagRequest) -> PricedModel:
    context.assume("embedding_service_tier", EMBEDDING_SERVICE_TIER, "interactive embeddings")
    return pick_model(
        context,
        request.embedding_model,
        request.embedding_rates,
        EMBEDDING_SERVICE_TIER,
        model_path="$.embedding_model",
        rates_path="$.embedding_rates",
        kind="embedding",
        tier_assumption=None,
    )


def _dimensions(context: PricingContext, request: RagRequest, embedder: PricedModel) -> int:
    native = embedder.model.dimensions
    if request.embedding_dimensions is not None:
        return request.embedding_dimensions
    if native is not None:
        context.assume("embedding_dimensions", native, "the embedding model's")
        return native
    if embedder.inline:
        reason = "inline embedding rates carry no vector dimensions: give embedding_dimensions"
    else:
        reason = (
            f"the table has no vector dimensions for {embedder.model.id!r} (it offers several "
            "or does not say): give embedding_dimensions"
        )
    raise InvalidInput("$.embedding_dimensions", reason)


def _store(context: PricingContext, request: RagRequest) -> VectorStore:
    if request.vector_store is not None and request.vector_store_rates is not None:
        raise InvalidInput("$.vector_store_rates", "give either vector_store or its rates")
    if request.vector_store is not None:
        return context.table.resolve_vector_store(request.vector_store, "$.vector_store")
    rates = request.vector_store_rates
    if rates is None:
        raise InvalidInput(
            "$.vector_store",
            "give a vector store id from the table or vector_store_rates (all zero for a store "
            "you already pay for)",
        )
    path = "$.vector_store_rates"
    echo_default(
        context,
        "vector_store_rates.monthly_minimum_usd",
        rates.monthly_minimum_usd,
        0,
        "no monthly minimum bill",
    )
    echo_default(
        context,
        "vector_store_rates.min_read_units_per_query",
        rates.min_read_units_per_query,
        DEFAULT_MIN_READ_UNITS,
        "Pinecone serverless's floor per query",
    )
    return VectorStore(
        id="inline",
        provider="inline",
        aliases=(),
        storage_usd_per_gb_month=_inline_rate(
            rates.storage_usd_per_gb_month,
            "usd_per_gb_month",
            Dimension.GB_MONTHS,
            f"{path}.storage_usd_per_gb_month",
        ),
        read_usd_per_1m_units=_inline_rate(
            rates.read_usd_per_1m_units,
            "usd_per_1m_read_units",
            Dimension.READ_UNITS,
            f"{path}.read_usd_per_1m_units",
        ),
        write_usd_per_1m_units=_inline_rate(
            rates.write_usd_per_1m_units,
            "usd_per_1m_write_units",
            Dimension.WRITE_UNITS,
            f"{path}.write_usd_per_1m_units",
        ),
        monthly_minimum_usd=_inline_rate(
            rates.monthly_minimum_usd,
            "usd_per_month",
            Dimension.MONTHS,
            f"{path}.monthly_minimum_usd",
        ),
        min_read_units_per_query=to_decimal(rates.min_read_units_per_query),
        source="request",
        verified=context.at.date(),
    )


def _reranker(
    context: PricingContext, request: RagRequest, records: int
) -> tuple[Reranker | None, int]:
    if request.reranker is not None and request.reranker_rates is not None:
        raise InvalidInput("$.reranker_rates", "give either reranker or its rates, not both")
    chosen = _inline_reranker(context, request.reranker_rates)
    if request.reranker is not None:
        chosen = context.table.resolve_reranker(request.reranker, "$.reranker")
    if chosen is None:
        if request.rerank_candidates is not None:
            # Silently dropped, the candidates would leave reranking out of the budget (the
            # README's workload: $200 of its $314 a month), as a reranker without them is refused.
            raise InvalidInput(
                "$.rerank_candidates",
                "rerank_candidates prices reranking only with a reranker: give reranker (or "
                "reranker_rates), or leave rerank_candidates out",
            )
        context.assume("reranker", "none", "retrieved chunks go to the model unranked")
        return None, 0

    candidates = request.rerank_candidates
    if candidates is None:
        raise InvalidInput("$.rerank_candidates", "give how many candidates the reranker scores")
    if candidates < request.top_k:
        raise InvalidInput(
            "$.rerank_candidates",
            f"{candidates} candidates cannot yield top_k = {request.top_k} chunks",
        )
    # A store returns at most the records it holds.
    return chosen, min(candidates, records)


def _inline_reranker(context: PricingContext, rates: RerankerRates | None) -> Reranker | None:
    if rates is None:
        return None
    echo_default(
        context,
        "reranker_rates.documents_per_search",
        rates.documents_per_search,
        DEFAULT_DOCUMENTS_PER_SEARCH,
        "documents one search unit covers (Cohere's unit)",
    )
    return Reranker(
        id="inline",
        provider="inline",
        aliases=(),
        usd_per_1k_searches=_inline_rate(
            rates.usd_per_1k_searches,
            "usd_per_1k_searches",
            Dimension.SEARCHES,
            "$.reranker_rates.usd_per_1k_searches",
        ),
        documents_per_search=rates.documents_per_search,
        source="request",
        verified=context.at.date(),
    )


def _inline_rate(rate: float, unit: str, dimension: Dimension, path: str) -> Decimal:
    try:
        return to_canonical(to_decimal(rate), unit, dimension)
    except ValueError as exc:
        raise InvalidInput(path, str(exc)) from None


def _warnings(plan: RagPlan, request: RagRequest) -> list[Notice]:
    found = []
    if request.top_k > plan.records:
        found.append(
            Notice(
                code="top_k_above_records",
                message=(
                    f"top_k {request.top_k} is above the {_records(plan.records)} the store "
                    f"holds: a query retrieves all of them, and the prompt is priced with "
                    f"{plan.records} × chunk_size_tokens"
                ),
            )
        )
    native = plan.embedder.model.dimensions
    if request.embedding_dimensions is not None and native and plan.dimensions > native:
        found.append(
            Notice(
                code="dimensions_above_the_model",
                message=(
                    f"embedding_dimensions {plan.dimensions} is above the "
                    f"{native} dimensions {plan.embedder.model.id!r} returns; storage is priced "
                    f"at {plan.dimensions}"
                ),
            )
        )
    context_window = plan.generator.model.context_window
    if context_window is not None and plan.prompt_tokens + plan.output_tokens > context_window:
        found.append(
            Notice(
                code="context_overflow",
                message=(
                    f"prompt ({plan.prompt_tokens}) + output ({plan.output_tokens}) tokens exceed "
                    f"the model's {context_window}-token context window: lower top_k or chunk size"
                ),
            )
        )
    length, size = request.tokens_per_document, request.chunk_size_tokens
    if length < size:
        # The prompt prices k × C (DESIGN §4.4, an upper bound); with documents shorter than
        # a chunk every chunk is the whole document, and the bound is C / L times the prompt.
        found.append(
            Notice(
                code="chunk_size_above_document",
                message=(
                    f"documents of {length} tokens are one chunk each, shorter than "
                    f"chunk_size_tokens {size}: each of the {plan.chunks_per_query} retrieved "
                    f"chunks is priced at {size} tokens, not {length}; set chunk_size_tokens to "
                    f"{length} for the exact prompt"
                ),
            )
        )
    found += notices(
        batch_not_interactive(request.service_tier, "each query waits for its answer that long")
    )
    return found


def _records(count: int) -> str:
    return "1 record" if count == 1 else f"{count} records"


def _not_preprocessed(preprocessed: bool | None) -> Notice | None:
    if preprocessed is not False:
        return None
    return Notice(
        code="rag_documents_not_preprocessed",
        message=(
            "documents go into the index without preprocessing (cleaning, deduplication, "
            "structure-aware splitting): retrieval quality and citations suffer"
        ),
    )
