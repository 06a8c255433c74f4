"""estimateRag: indexing once, then a month of upkeep, storage, queries and generation.

Worked case RAG-1: spend-models.md §2.3 under DESIGN §4.4 chunking (issue 3 figures).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from pricing.catalog import Catalog
from pricing.errors import InvalidInput, NotFound
from pricing.estimators.rag import RagRequest, chunking, estimate_rag
from tests.workloads import RAG_1

D = Decimal
INLINE = {
    "rates": {"input": 0.15, "output": 0.60},
    "embedding_rates": {"input": 0.02},
    "embedding_dimensions": 1536,
    "vector_store_rates": {
        "storage_usd_per_gb_month": 0.33,
        "read_usd_per_1m_units": 16,
        "write_usd_per_1m_units": 4,
        "monthly_minimum_usd": 50,
    },
}


def estimate(catalog: Catalog, **body: object):
    return estimate_rag(catalog, msgspec.convert(body, RagRequest))


def inline(**changes: object) -> dict:
    body = {k: v for k, v in RAG_1.items() if k not in {"model", "embedding_model", "vector_store"}}
    return body | INLINE | changes


def costs(result) -> dict[str, Decimal]:
    return {item.name: item.cost_usd for item in result.line_items}


@pytest.mark.parametrize(
    ("length", "size", "overlap", "expected"),
    [
        (400, 512, 64, (1, 400)),
        (512, 512, 64, (1, 512)),
        # n = ceil(1,936 / 448) = 5; embedded 2,000 + 4 × 64.
        (2000, 512, 64, (5, 2256)),
        # novacalculator's example: n = ceil(49,936 / 448) = 112.
        (50_000, 512, 64, (112, 50_000 + 111 * 64)),
        # No overlap: ceil(L / C) chunks and exactly L tokens.
        (1025, 512, 0, (3, 1025)),
    ],
)
def test_chunking_is_exact_per_document(length, size, overlap, expected) -> None:
    assert chunking(length, size, overlap) == expected


@pytest.mark.parametrize("overlap", [512, 600])
def test_overlap_at_or_above_chunk_size_is_refused(overlap: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        chunking(2000, 512, overlap)
    assert caught.value.path == "$.chunk_overlap_tokens"


@pytest.mark.parametrize("body", [RAG_1, inline()], ids=["table", "inline"])
def test_rag_1_one_time_and_monthly(catalog: Catalog, body: dict) -> None:
    result = estimate(catalog, **body)

    assert result.chunks_per_document == 5
    assert result.records == 50_000
    assert result.embedded_tokens == 22_560_000
    assert result.record_bytes == 7144
    assert result.vector_store_gb == D("0.3572")
    cost = costs(result)
    assert cost["corpus_embedding_input"] == D("0.4512")
    assert cost["initial_vector_writes"] == D("1.4288")
    assert result.one_time_usd == D("1.88")
    assert cost["reembedding_input"] == D("0.04512")
    assert cost["query_embedding_input"] == D("0.04")
    assert cost["generation_input"] + cost["generation_output"] == D("64.20")
    # Storage 0.117876 + reads 0.57152 + update writes 0.28576 is under the $50 minimum.
    assert result.vector_store_usage_usd == D("0.975156")
    assert cost["vector_store_minimum_top_up"] == D(50) - D("0.975156")
    assert result.vector_store_monthly_usd == D(50)
    assert result.monthly_usd == D("114.28512")
    assert result.first_year_usd == D("1.88") + 12 * D("114.28512")


def test_rag_1_with_a_reranker_over_50_candidates(catalog: Catalog) -> None:
    # 100,000 queries × ceil(50/100) = 100,000 searches × $2 / 1k = $200.
    result = estimate(catalog, **RAG_1, reranker="rerank-v3.5", rerank_candidates=50)
    assert costs(result)["reranking"] == D(200)
    assert result.monthly_usd == D("314.28512")


def test_inline_reranker_counts_search_units_of_its_size(catalog: Catalog) -> None:
    # 250 candidates over 100-document search units = 3 searches per query.
    result = estimate(
        catalog,
        **inline(reranker_rates={"usd_per_1k_searches": 2}, rerank_candidates=250),
    )
    assert costs(result)["reranking"] == D(300_000) * 2 / 1000


def test_response_cache_skips_generation_reranking_embedding_and_search(
    catalog: Catalog,
) -> None:
    plain = costs(estimate(catalog, **RAG_1, reranker="rerank-v3.5", rerank_candidates=50))
    cached = costs(
        estimate(
            catalog,
            **RAG_1,
            reranker="rerank-v3.5",
            rerank_candidates=50,
            response_cache_hit_rate=0.25,
        )
    )
    for name in ("generation_input", "generation_output", "reranking", "query_embedding_input"):
        assert cached[name] == plain[name] * D("0.75"), name
    # A cached answer embeds nothing, so it searches nothing: 75,000 queries × 0.3572 RU ×
    # $16 per 1M = $0.42864 instead of 100,000 × 0.3572 × 16 / 1M = $0.57152.
    assert plain["vector_reads"] == D("0.57152")
    assert cached["vector_reads"] == D("0.42864")


def test_store_above_its_minimum_has_no_top_up(catalog: Catalog) -> None:
    store = INLINE["vector_store_rates"] | {"monthly_minimum_usd": 0.5}
    result = estimate(catalog, **inline(vector_store_rates=store))
    assert "vector_store_minimum_top_up" not in costs(result)
    assert result.vector_store_monthly_usd == result.vector_store_usage_usd == D("0.975156")


def test_initial_writes_do_not_count_toward_the_minimum(catalog: Catalog) -> None:
    result = estimate(catalog, **RAG_1)
    one_time = {item.name for item in result.line_items if item.recurrence == "one_time"}
    assert one_time == {"corpus_embedding_input", "initial_vector_writes"}
    assert costs(result)["vector_store_minimum_top_up"] == D(50) - result.vector_store_usage_usd


def test_read_units_per_query_have_a_floor(catalog: Catalog) -> None:
    # 1,000 documents of one chunk: 1,000 × 7,144 B = 0.007144 GB, under the 0.25 RU floor.
    body = RAG_1 | {"documents": 1000, "tokens_per_document": 500}
    result = estimate(catalog, **body)
    assert result.read_units_per_query == D("0.25")
    assert costs(result)["vector_reads"] == D(100_000) * D("0.25") * 16 / 10**6


@pytest.mark.parametrize(
    ("changes", "flags"),
    [
        ({}, {"prompt_beyond_2000_tokens"}),  # 500 + 20 + 5 × 512 = 3,080 tokens
        ({"top_k": 2}, set()),  # 1,544 tokens
        ({"top_k": 2, "documents_preprocessed": False}, {"rag_documents_not_preprocessed"}),
        ({"top_k": 2, "documents_preprocessed": True}, set()),
        ({"top_k": 2, "history_tokens": 457}, {"prompt_beyond_2000_tokens"}),  # 2,001
        ({"top_k": 2, "history_tokens": 456}, set()),  # 2,000
    ],
)
def test_red_flags(catalog: Catalog, changes: dict, flags: set) -> None:
    result = estimate(catalog, **(RAG_1 | changes))
    assert {flag.code for flag in result.red_flags} == flags


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"reranker": "rerank-v3.5"}, "$.rerank_candidates"),
        ({"reranker": "rerank-v3.5", "rerank_candidates": 4}, "$.rerank_candidates"),
        # Candidates without a reranker: pricing none would drop RAG-1's $200 of reranking.
        ({"rerank_candidates": 50}, "$.reranker"),
        ({"vector_store": None}, "$.vector_store"),
        ({"vector_store_rates": INLINE["vector_store_rates"]}, "$.vector_store_rates"),
        ({"embedding_model": None, "embedding_rates": {"input": 0.02}}, "$.embedding_dimensions"),
        ({"embedding_model": None}, "$.embedding_model"),
        ({"queries_per_day": 10}, "$.queries_per_day"),
        (
            {
                "vector_store": None,
                "vector_store_rates": {
                    "storage_usd_per_gb_month": 1000,  # above the $100 plausible band
                    "read_usd_per_1m_units": 1,
                    "write_usd_per_1m_units": 1,
                },
            },
            "$.vector_store_rates.storage_usd_per_gb_month",
        ),
    ],
)
def test_bad_combinations_name_the_field(catalog: Catalog, changes: dict, path: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, **(RAG_1 | changes))
    assert caught.value.path == path


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"embedding_model": "gpt-4o-mini"}, "$.embedding_model"),
        ({"vector_store": "pinecone-enterprise"}, "$.vector_store"),
        ({"reranker": "rerank-v9", "rerank_candidates": 50}, "$.reranker"),
    ],
)
def test_unknown_ids_are_not_found(catalog: Catalog, changes: dict, path: str) -> None:
    with pytest.raises(NotFound) as caught:
        estimate(catalog, **(RAG_1 | changes))
    assert caught.value.path == path


def test_defaults_are_echoed(catalog: Catalog) -> None:
    body = {
        k: v
        for k, v in RAG_1.items()
        if k not in {"chunk_overlap_tokens", "metadata_bytes_per_record"}
    }
    result = estimate(catalog, **body)
    assumed = {a.name: a.value for a in result.assumptions}
    assert assumed["chunk_overlap_tokens"] == "0"
    assert assumed["metadata_bytes_per_record"] == "1000"
    assert assumed["history_tokens"] == "0"
    assert assumed["embedding_dimensions"] == "1536"
    assert assumed["response_cache_hit_rate"] == "0"
    assert assumed["reranker"] == "none"


def test_every_priced_component_is_named(catalog: Catalog) -> None:
    result = estimate(catalog, **RAG_1, reranker="rerank-v3.5", rerank_candidates=50)
    assert result.model is not None and result.model.id == "gpt-4o-mini"
    assert result.embedding_model.id == "text-embedding-3-small"
    assert (result.vector_store, result.reranker) == ("pinecone-serverless-standard", "rerank-v3.5")


def test_top_k_above_the_records_retrieves_every_record(catalog: Catalog) -> None:
    # One 100-token document is one record: a query retrieves 1 chunk, not 50. Prompt
    # 500 + 20 + 1 × 512 = 1,032 tokens (not 500 + 20 + 50 × 512 = 26,120); generation input
    # 100,000 × 1,032 × $0.15 / 1M = $15.48.
    body = RAG_1 | {"documents": 1, "tokens_per_document": 100, "top_k": 50}
    result = estimate(catalog, **body)
    assert result.records == result.chunks_per_query == 1
    assert result.prompt_tokens_per_query == 1032
    assert costs(result)["generation_input"] == D("15.48")
    [warning] = [w for w in result.warnings if w.code == "top_k_above_records"]
    assert "top_k 50 is above the 1 record the store holds" in warning.message
    assert result.red_flags == []


def test_rerank_candidates_are_capped_at_the_records(catalog: Catalog) -> None:
    # 150 one-chunk documents: 250 candidates cannot be returned, 150 can: ⌈150/100⌉ = 2
    # search units per query (not ⌈250/100⌉ = 3): 200,000 × $2 / 1k = $400.
    body = RAG_1 | {"documents": 150, "tokens_per_document": 100}
    result = estimate(
        catalog, **body, reranker_rates={"usd_per_1k_searches": 2}, rerank_candidates=250
    )
    assert costs(result)["reranking"] == D(400)


def test_a_table_embedding_model_without_dimensions_asks_for_them(catalog: Catalog) -> None:
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, **(RAG_1 | {"embedding_model": "voyage-3.5"}))
    assert caught.value.path == "$.embedding_dimensions"
    assert "the table has no vector dimensions for 'voyage-3.5'" in caught.value.reason
    assert "inline" not in caught.value.reason

    # Given: 4 × 1,024 + 1,000 metadata = 5,096 bytes per record, echoed in the answer.
    result = estimate(
        catalog, **(RAG_1 | {"embedding_model": "voyage-3.5"}), embedding_dimensions=1024
    )
    assert (result.embedding_dimensions, result.record_bytes) == (1024, 5096)
    assert "embedding_dimensions" not in {a.name for a in result.assumptions}


def test_inline_embedding_rates_without_dimensions_say_inline(catalog: Catalog) -> None:
    body = RAG_1 | {"embedding_model": None, "embedding_rates": {"input": 0.02}}
    with pytest.raises(InvalidInput) as caught:
        estimate(catalog, **body)
    assert "inline embedding rates carry no vector dimensions" in caught.value.reason


@pytest.mark.parametrize(("dimensions", "warned"), [(512, False), (4096, True)])
def test_dimensions_may_be_given_with_a_table_model(
    catalog: Catalog, dimensions: int, warned: bool
) -> None:
    # text-embedding-3-small returns 1,536; shortened to 512: 4 × 512 + 1,000 = 3,048 bytes.
    result = estimate(catalog, **RAG_1, embedding_dimensions=dimensions)
    assert result.embedding_dimensions == dimensions
    assert result.record_bytes == 4 * dimensions + 1000
    codes = {w.code for w in result.warnings}
    assert ("dimensions_above_the_model" in codes) is warned


def test_service_tiers_and_inline_defaults_are_echoed(catalog: Catalog) -> None:
    result = estimate(
        catalog, **inline(reranker_rates={"usd_per_1k_searches": 2}, rerank_candidates=50)
    )
    assumed = {a.name: a.value for a in result.assumptions}
    assert assumed["service_tier"] == "standard"
    assert assumed["embedding_service_tier"] == "standard"
    assert assumed["vector_store_rates.min_read_units_per_query"] == "0.25"
    assert assumed["reranker_rates.documents_per_search"] == "100"
    # INLINE gives a $50 minimum: not a default, not echoed.
    assert "vector_store_rates.monthly_minimum_usd" not in assumed
