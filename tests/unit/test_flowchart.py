"""The article's flowchart: every leaf, the strict thresholds, the path and the red flags."""

from __future__ import annotations

import pytest

from pricing import flags
from pricing.errors import InvalidInput
from pricing.flowchart import RecommendationRequest, recommend
from pricing.knowledge import shipped_library

REFERENCE = shipped_library().get("2026-03-30")
# The table said to have named REFERENCE; the flowchart only echoes it.
TABLE = "2026-03-30"


def pick(**inputs: object) -> tuple[str, bool, list[tuple[str, object, bool]]]:
    result = recommend(RecommendationRequest(**inputs), REFERENCE, TABLE)  # type: ignore[arg-type]
    return result.approach, result.extension, [(s.input, s.value, s.answer) for s in result.path]


def test_persistent_fits_and_few_examples_is_prompt_engineering() -> None:
    # Boundary: 99,999 is "<100k examples" → Prompt Engineering.
    approach, extension, path = pick(
        needs_persistent_change=True, data_fits_in_context=True, example_count=99_999
    )
    assert (approach, extension) == ("prompt_engineering", False)
    assert path == [
        ("needs_persistent_change", True, True),
        ("data_fits_in_context", True, True),
        ("example_count", 99_999, True),
    ]


def test_persistent_fits_and_100k_examples_is_fine_tuning_as_an_extension() -> None:
    # The drawing has no "no" arm under "<100k examples?"; 100,000 is not fewer than 100,000.
    approach, extension, path = pick(
        needs_persistent_change=True, data_fits_in_context=True, example_count=100_000
    )
    assert (approach, extension) == ("fine_tuning", True)
    assert path[-1] == ("example_count", 100_000, False)


def test_persistent_not_fitting_is_rag() -> None:
    approach, extension, path = pick(needs_persistent_change=True, data_fits_in_context=False)
    assert (approach, extension) == ("rag", False)
    assert path == [("needs_persistent_change", True, True), ("data_fits_in_context", False, False)]


def test_10001_labeled_is_fine_tuning() -> None:
    approach, extension, path = pick(needs_persistent_change=False, labeled_example_count=10_001)
    assert (approach, extension) == ("fine_tuning", False)
    assert path == [
        ("needs_persistent_change", False, False),
        ("labeled_example_count", 10_001, True),
    ]


def test_10000_labeled_without_multistep_is_prompt_engineering() -> None:
    # ">10k labeled examples?" is strict: 10,000 is a "no".
    approach, _, path = pick(
        needs_persistent_change=False, labeled_example_count=10_000, needs_multistep_reasoning=False
    )
    assert approach == "prompt_engineering"
    assert path[1:] == [
        ("labeled_example_count", 10_000, False),
        ("needs_multistep_reasoning", False, False),
    ]


def test_10000_labeled_with_multistep_is_agents() -> None:
    approach, _, path = pick(
        needs_persistent_change=False, labeled_example_count=10_000, needs_multistep_reasoning=True
    )
    assert approach == "agents"
    assert path[-1] == ("needs_multistep_reasoning", True, True)


def test_rules_name_the_strict_thresholds() -> None:
    persistent = recommend(
        RecommendationRequest(
            needs_persistent_change=True, data_fits_in_context=True, example_count=1
        ),
        REFERENCE,
        TABLE,
    )
    assert persistent.path[-1].rule == "example_count < 100000"


@pytest.mark.parametrize(
    ("inputs", "missing"),
    [
        ({"needs_persistent_change": True}, "$.data_fits_in_context"),
        ({"needs_persistent_change": True, "data_fits_in_context": True}, "$.example_count"),
        ({"needs_persistent_change": False}, "$.labeled_example_count"),
        (
            {"needs_persistent_change": False, "labeled_example_count": 3},
            "$.needs_multistep_reasoning",
        ),
    ],
)
def test_a_question_on_the_path_needs_an_answer(inputs: dict[str, object], missing: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        recommend(RecommendationRequest(**inputs), REFERENCE, TABLE)  # type: ignore[arg-type]
    assert caught.value.path == missing


def test_questions_off_the_path_are_not_needed() -> None:
    # RAG is reached without example counts or the multi-step question.
    assert pick(needs_persistent_change=True, data_fits_in_context=False)[0] == "rag"


def codes(**inputs: object) -> list[str]:
    result = recommend(RecommendationRequest(**inputs), REFERENCE, TABLE)  # type: ignore[arg-type]
    return [flag.code for flag in result.red_flags]


def test_red_flags_the_inputs_raise() -> None:
    agents = {
        "needs_persistent_change": False,
        "labeled_example_count": 0,
        "needs_multistep_reasoning": True,
    }
    raised = codes(
        **agents,
        agent_step_limit=False,
        agent_retry_policy=False,
        prompt_tokens=2001,
        held_out_test_set=False,
    )
    assert raised == [
        flags.LONG_PROMPT,
        flags.NO_STEP_LIMIT,
        flags.NO_RETRY_POLICY,
        flags.NO_HELD_OUT,
    ]
    # 2,000 tokens is not beyond 2,000; recovery present; test set kept: nothing to flag.
    calm = codes(
        **agents,
        agent_step_limit=True,
        agent_retry_policy=True,
        prompt_tokens=2000,
        held_out_test_set=True,
    )
    assert calm == []


def test_every_flag_is_raised_whatever_the_pick() -> None:
    # Reported: RAG and agent flags were dropped unless the pick was RAG or agents. A plan fact
    # is a fact about the plan: prompting is picked here and all three still stand.
    prompting = {
        "needs_persistent_change": False,
        "labeled_example_count": 1,
        "needs_multistep_reasoning": False,
    }
    raised = codes(
        **prompting,
        documents_preprocessed=False,
        agent_step_limit=False,
        agent_retry_policy=False,
    )
    assert raised == [flags.NOT_PREPROCESSED, flags.NO_STEP_LIMIT, flags.NO_RETRY_POLICY]
    fine_tuning = {"needs_persistent_change": False, "labeled_example_count": 10_001}
    assert codes(**fine_tuning, documents_preprocessed=False) == [flags.NOT_PREPROCESSED]
    rag = {"needs_persistent_change": True, "data_fits_in_context": False}
    assert codes(**rag, agent_step_limit=False) == [flags.NO_STEP_LIMIT]
    assert codes(**rag, documents_preprocessed=True, agent_step_limit=True) == []


def test_no_automated_metric() -> None:
    rag = {"needs_persistent_change": True, "data_fits_in_context": False}
    assert codes(**rag, evaluation_metrics=["human_eval"]) == [flags.NO_AUTOMATED_EVALUATION]
    assert codes(**rag, evaluation_metrics=[]) == [flags.NO_AUTOMATED_EVALUATION]
    assert codes(**rag, evaluation_metrics=["Human eval"]) == [flags.NO_AUTOMATED_EVALUATION]
    assert codes(**rag, evaluation_metrics=["Human evaluation", "ROUGE"]) == []
    assert codes(**rag) == []


def test_unknown_metric_is_taken_as_automated_and_said() -> None:
    result = recommend(
        RecommendationRequest(
            needs_persistent_change=True,
            data_fits_in_context=False,
            evaluation_metrics=["exact_match"],
        ),
        REFERENCE,
        TABLE,
    )
    assert result.red_flags == []
    assert [(a.name, a.value) for a in result.assumptions] == [("evaluation_metric", "exact_match")]


def test_every_flag_code_is_in_the_reference() -> None:
    assert set(flags.CODES) == {c for flag in REFERENCE.red_flags for c in flag.response_codes()}
