"""Request bodies of the workload estimators' worked cases, shared by unit and HTTP tests.

Sources: issue 3; spend-models.md §2.3 (RAG-1), §3.1 (agent token model), §4 (PROMPT-1).
"""

from __future__ import annotations

#: gpt-4o-mini, 1,200 in / 300 out per request, 1M requests a month: $360.
INFERENCE = {
    "model": "gpt-4o-mini",
    "usage": {"input_tokens": 1200, "output_tokens": 300},
    "requests_per_month": 1_000_000,
}

#: PROMPT-1 without a model: 3,000 static tokens, 200 variable, 150 out, 1M requests, h = 0.9.
PROMPT_1 = {
    "system_prompt_tokens": 1500,
    "few_shot_examples": 10,
    "tokens_per_example": 150,
    "variable_input_tokens": 200,
    "output_tokens": 150,
    "requests_per_month": 1_000_000,
    "cache_hit_rate": 0.9,
}

#: RAG-1 on the 2026-12-01 table: $1.88 once, $114.28512 a month.
RAG_1 = {
    "model": "gpt-4o-mini",
    "embedding_model": "text-embedding-3-small",
    "vector_store": "pinecone-serverless-standard",
    "documents": 10_000,
    "tokens_per_document": 2000,
    "chunk_size_tokens": 512,
    "chunk_overlap_tokens": 64,
    "metadata_bytes_per_record": 1000,
    "changed_documents_share_per_month": 0.1,
    "queries_per_month": 100_000,
    "question_tokens": 20,
    "system_prompt_tokens": 500,
    "top_k": 5,
    "output_tokens": 300,
}

#: The agent token model's case without a model: 8 steps, P1 2,000, Δ 500.
AGENT = {
    "tasks_per_month": 1000,
    "steps_per_task": 8,
    "initial_prompt_tokens": 2000,
    "growth_tokens_per_step": 500,
    "output_tokens_per_step": 300,
}

#: Claude-style explicit caching: input 3, read 0.30, 5-minute write 3.75, output 15 per 1M.
EXPLICIT_RATES = {
    "input": 3,
    "cache_read": 0.30,
    "cache_write": 3.75,
    "output": 15,
    "caching": {"mode": "explicit", "min_tokens": 1024},
}

#: spend-models §5.4's workload for compareApproaches: 2,900 instruction tokens, 300 in, 150 out,
#: 50,000 requests a month, 20M corpus tokens; 2,000 labeled examples, no multi-step reasoning.
COMPARE = {
    "task_type": "classification",
    "requests_per_month": 50_000,
    "instruction_tokens": 2900,
    "input_tokens": 300,
    "output_tokens": 150,
    "corpus_tokens": 20_000_000,
    "flowchart": {
        "needs_persistent_change": False,
        "labeled_example_count": 2000,
        "needs_multistep_reasoning": False,
    },
}
