"""The article's red flags as notices; each code is one of the reference's ``red_flags``."""

from __future__ import annotations

from collections.abc import Iterable

from pricing.knowledge import ReferenceDocument
from pricing.results import Assumption, Notice

FEW_EXAMPLES = "fine_tuning_under_1000_examples"
NOT_PREPROCESSED = "rag_documents_not_preprocessed"
LONG_PROMPT = "prompt_beyond_2000_tokens"
NO_STEP_LIMIT = "agent_without_step_limit"
NO_RETRY_POLICY = "agent_without_retry_policy"
NO_HELD_OUT = "missing_held_out_test_set"
NO_AUTOMATED_EVALUATION = "no_automated_evaluation"

#: Every code this module raises (a test checks each against the reference data).
CODES = (
    FEW_EXAMPLES,
    NOT_PREPROCESSED,
    LONG_PROMPT,
    NO_STEP_LIMIT,
    NO_RETRY_POLICY,
    NO_HELD_OUT,
    NO_AUTOMATED_EVALUATION,
)

#: The article's thresholds (its red-flag list and its readiness check).
MIN_FINE_TUNING_EXAMPLES = 1000
MAX_PROMPT_TOKENS = 2000


def few_examples(examples: int) -> Notice | None:
    """Fine-tuning planned on fewer than 1,000 examples."""
    if examples >= MIN_FINE_TUNING_EXAMPLES:
        return None
    return Notice(
        code=FEW_EXAMPLES,
        message=(
            f"fine-tuning on {examples} examples, fewer than 1,000: collect more data or try "
            "prompting with few-shot examples first"
        ),
    )


def long_prompt(prompt_tokens: int) -> Notice | None:
    """A prompt strictly above 2,000 tokens."""
    if prompt_tokens <= MAX_PROMPT_TOKENS:
        return None
    return Notice(
        code=LONG_PROMPT,
        message=(
            f"one request's prompt is {prompt_tokens} tokens, beyond 2,000: consider retrieval, "
            "summarizing or fine-tuning instead of a longer prompt"
        ),
    )


def not_preprocessed() -> Notice:
    """RAG over documents that were not cleaned and split before indexing."""
    return Notice(
        code=NOT_PREPROCESSED,
        message="RAG over documents that were not preprocessed: clean and chunk them first",
    )


def no_step_limit() -> Notice:
    """Agents without a limit on their steps (one form of no error recovery)."""
    return Notice(
        code=NO_STEP_LIMIT,
        message="agents without a step limit can loop without end: set max_steps",
    )


def no_retry_policy() -> Notice:
    """Agents without a retry policy (the other form of no error recovery)."""
    return Notice(
        code=NO_RETRY_POLICY,
        message="agents without a retry policy fail on the first error: set one",
    )


def no_held_out() -> Notice:
    """No held-out validation or test split."""
    return Notice(
        code=NO_HELD_OUT,
        message="no held-out test set: keep some examples out of training to measure quality",
    )


def evaluation_flags(
    metrics: Iterable[str] | None, reference: ReferenceDocument
) -> tuple[list[Notice], list[Assumption]]:
    """The red flag when none of the planned evaluation metrics is automated.

    A metric the reference knows carries its own ``automated`` mark; any other name is taken as
    an automated metric (exact match, accuracy, F1 ...) and that is said in an assumption.

    Args:
        metrics: The planned metric names; None when the plan does not say.
        reference: The reference that knows the article's metrics.

    Returns:
        The red flags and the assumptions made.
    """
    if metrics is None:
        return [], []

    automated = False
    assumptions = []
    for name in metrics:
        known = reference.metric(name)
        if known is None:
            assumptions.append(
                Assumption(
                    name="evaluation_metric",
                    value=name,
                    note="not in the article's metric table: taken as an automated metric",
                )
            )
        automated = automated or known is None or known.automated
    if automated:
        return [], assumptions
    flag = Notice(
        code=NO_AUTOMATED_EVALUATION,
        message="no automated evaluation metric: add one that a program computes on every run",
    )
    return [flag], assumptions
