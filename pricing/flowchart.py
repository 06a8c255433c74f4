"""recommendApproach: the article's decision flowchart, exactly as drawn, with the path taken.

The drawing, in words (thresholds strict, as written)::

    persistent knowledge or behaviour change needed?
      yes: data fits in the context window?
             yes: fewer than 100,000 examples?  yes: prompt engineering
                                                no:  (the drawing is silent) fine-tuning, extension
             no:  RAG
      no:  more than 10,000 labeled examples?   yes: fine-tuning
           no:  complex multi-step reasoning?   yes: agents
                                                no:  prompt engineering
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

from pricing import flags
from pricing.errors import InvalidInput
from pricing.knowledge import ApproachId, ReferenceDocument
from pricing.results import Assumption, Notice

#: "<100k examples?" on the persistent-change branch: strictly fewer goes to prompting.
MAX_EXAMPLES_IN_CONTEXT = 100_000
#: ">10k labeled examples?" on the other branch: strictly more goes to fine-tuning.
MIN_LABELED_FOR_FINE_TUNING = 10_000

_Count = Annotated[int, Meta(ge=0, le=10**12)]
MetricNames = Annotated[
    list[Annotated[str, Meta(min_length=1, max_length=60)]], Meta(max_length=50)
]


class FlowchartInputs(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The flowchart's five questions. Only the ones on the path taken are required."""

    needs_persistent_change: Annotated[
        bool,
        Meta(description="Does the work need a persistent change of knowledge or behaviour?"),
    ]
    data_fits_in_context: Annotated[
        bool | None,
        Meta(description="Does the data fit in the context window? Asked when persistent."),
    ] = None
    example_count: (
        Annotated[
            _Count,
            Meta(description="How many examples there are. Asked when persistent and fitting."),
        ]
        | None
    ) = None
    labeled_example_count: (
        Annotated[
            _Count,
            Meta(description="How many labeled examples there are. Asked when not persistent."),
        ]
        | None
    ) = None
    needs_multistep_reasoning: Annotated[
        bool | None,
        Meta(
            description="Does the task need complex multi-step reasoning? Asked when not "
            "persistent and with 10,000 labeled examples or fewer."
        ),
    ] = None


class RecommendationRequest(FlowchartInputs, kw_only=True, forbid_unknown_fields=True):
    """The flowchart's inputs, plus optional facts about the plan that raise red flags."""

    pricing_version: (
        Annotated[
            str,
            Meta(
                min_length=1,
                max_length=40,
                description="Table whose reference is consulted (default `latest`), as on "
                "every estimate route.",
                examples=["2026-12-01"],
            ),
        ]
        | None
    ) = None

    prompt_tokens: (
        Annotated[
            _Count,
            Meta(description="Tokens of one request's whole prompt; above 2,000 is a red flag."),
        ]
        | None
    ) = None
    documents_preprocessed: Annotated[
        bool | None,
        Meta(description="RAG: were the documents cleaned and chunked? false is a red flag."),
    ] = None
    agent_step_limit: Annotated[
        bool | None,
        Meta(description="Agents: is the number of steps limited? false is a red flag."),
    ] = None
    agent_retry_policy: Annotated[
        bool | None,
        Meta(description="Agents: is there a retry policy? false is a red flag."),
    ] = None
    held_out_test_set: Annotated[
        bool | None, Meta(description="Is a held-out test set kept? false is a red flag.")
    ] = None
    evaluation_metrics: (
        Annotated[
            MetricNames,
            Meta(
                description="Planned evaluation metrics (e.g. rouge, human_eval, exact_match); "
                "none automated is a red flag."
            ),
        ]
        | None
    ) = None


class FlowchartStep(msgspec.Struct, kw_only=True):
    """One decision of the flowchart, with the value that drove it."""

    question: Annotated[str, Meta(description="The question as the flowchart asks it.")]
    input: Annotated[str, Meta(description="The request field that answered it.")]
    value: Annotated[bool | int, Meta(description="The value of that field.")]
    rule: Annotated[str, Meta(description="The test applied, e.g. `example_count < 100000`.")]
    answer: Annotated[bool, Meta(description="The outcome of the test: yes (true) or no.")]


class Recommendation(msgspec.Struct, kw_only=True):
    """The approach the flowchart picks, how it got there and what to watch."""

    approach: Annotated[ApproachId, Meta(description="The approach the flowchart picks.")]
    approach_name: Annotated[str, Meta(description="Its display name.")]
    extension: Annotated[
        bool,
        Meta(description="True when the drawing is silent here and spendcast extends it."),
    ]
    explanation: Annotated[str, Meta(description="Why, in one sentence.")]
    path: Annotated[list[FlowchartStep], Meta(description="Every decision taken, in order.")]
    red_flags: Annotated[
        list[Notice],
        Meta(
            description="Every red flag of the article that the inputs raise, whatever the "
            "pick (an agent without a step limit is flagged even when prompting is picked)."
        ),
    ] = []
    assumptions: Annotated[
        list[Assumption], Meta(description="Defaults and readings applied.")
    ] = []
    reference_version: Annotated[str, Meta(description="The reference version consulted.")]
    pricing_version: Annotated[
        str, Meta(description="The pricing table that named the reference consulted.")
    ]


def _require(value: bool | int | None, field: str, why: str) -> bool | int:
    if value is None:
        raise InvalidInput(f"$.{field}", f"required here: the flowchart asks it {why}")
    return value


def _ask(question: str, field: str, value: bool | int, rule: str, answer: bool) -> FlowchartStep:
    return FlowchartStep(question=question, input=field, value=value, rule=rule, answer=answer)


def _yes_no(question: str, field: str, value: bool) -> FlowchartStep:
    return _ask(question, field, value, field, value)


def walk(inputs: FlowchartInputs) -> tuple[ApproachId, bool, list[FlowchartStep]]:
    """Follow the flowchart.

    Args:
        inputs: The answers to its questions.

    Returns:
        The approach, whether the answer extends the drawing, and the path of decisions.

    Raises:
        InvalidInput: A question on the path taken has no answer.
    """
    persistent = inputs.needs_persistent_change
    path = [
        _yes_no(
            "Does it need a persistent change of knowledge or behaviour?",
            "needs_persistent_change",
            persistent,
        )
    ]
    if persistent:
        return _persistent_branch(inputs, path)
    return _other_branch(inputs, path)


def _persistent_branch(
    inputs: FlowchartInputs, path: list[FlowchartStep]
) -> tuple[ApproachId, bool, list[FlowchartStep]]:
    fits = bool(
        _require(inputs.data_fits_in_context, "data_fits_in_context", "when a change persists")
    )
    path.append(_yes_no("Does the data fit in the context window?", "data_fits_in_context", fits))
    if not fits:
        return "rag", False, path

    examples = int(_require(inputs.example_count, "example_count", "when the data fits"))
    few = examples < MAX_EXAMPLES_IN_CONTEXT
    path.append(
        _ask(
            "Fewer than 100,000 examples?",
            "example_count",
            examples,
            f"example_count < {MAX_EXAMPLES_IN_CONTEXT}",
            few,
        )
    )
    if few:
        return "prompt_engineering", False, path
    return "fine_tuning", True, path


def _other_branch(
    inputs: FlowchartInputs, path: list[FlowchartStep]
) -> tuple[ApproachId, bool, list[FlowchartStep]]:
    labeled = int(
        _require(inputs.labeled_example_count, "labeled_example_count", "when no change persists")
    )
    many = labeled > MIN_LABELED_FOR_FINE_TUNING
    path.append(
        _ask(
            "More than 10,000 labeled examples?",
            "labeled_example_count",
            labeled,
            f"labeled_example_count > {MIN_LABELED_FOR_FINE_TUNING}",
            many,
        )
    )
    if many:
        return "fine_tuning", False, path

    multistep = bool(
        _require(
            inputs.needs_multistep_reasoning,
            "needs_multistep_reasoning",
            "with 10,000 labeled examples or fewer",
        )
    )
    path.append(
        _yes_no(
            "Does it need complex multi-step reasoning?", "needs_multistep_reasoning", multistep
        )
    )
    return ("agents" if multistep else "prompt_engineering"), False, path


_EXPLANATIONS: dict[tuple[ApproachId, bool], str] = {
    ("rag", False): "the knowledge must persist and does not fit in the context window",
    ("prompt_engineering", False): "the flowchart ends at prompting on this path",
    ("fine_tuning", False): "more than 10,000 labeled examples make fine-tuning worthwhile",
    ("agents", False): "the task needs complex multi-step reasoning",
    ("fine_tuning", True): (
        "the drawing says nothing about 100,000 examples or more that fit in context; "
        "spendcast answers fine-tuning, an extension of the drawing"
    ),
}


def recommend(
    request: RecommendationRequest, reference: ReferenceDocument, pricing_version: str
) -> Recommendation:
    """The flowchart's pick with its path and the red flags the inputs raise.

    Args:
        request: The five inputs and optional facts about the plan.
        reference: The reference knowledge (approach names, metrics).
        pricing_version: The table that named that reference, echoed in the answer.

    Returns:
        The recommendation.

    Raises:
        InvalidInput: A question on the path taken has no answer.
    """
    approach, extension, path = walk(request)

    red_flags, assumptions = plan_flags(request, reference)
    return Recommendation(
        approach=approach,
        approach_name=reference.approach(approach).name,
        extension=extension,
        explanation=_EXPLANATIONS[(approach, extension)],
        path=path,
        red_flags=red_flags,
        assumptions=assumptions,
        reference_version=reference.version,
        pricing_version=pricing_version,
    )


def plan_flags(
    request: RecommendationRequest, reference: ReferenceDocument
) -> tuple[list[Notice], list[Assumption]]:
    """Every red flag that the optional plan facts raise, whatever approach is picked.

    A plan fact describes the plan as it is (RAG over raw documents, an agent without a step
    limit): the flag stands even when the flowchart points elsewhere, since the caller may
    still build that part.
    """
    found: list[Notice | None] = []
    if request.prompt_tokens is not None:
        found.append(flags.long_prompt(request.prompt_tokens))
    if request.documents_preprocessed is False:
        found.append(flags.not_preprocessed())
    if request.agent_step_limit is False:
        found.append(flags.no_step_limit())
    if request.agent_retry_policy is False:
        found.append(flags.no_retry_policy())
    if request.held_out_test_set is False:
        found.append(flags.no_held_out())

    evaluation, assumptions = flags.evaluation_flags(request.evaluation_metrics, reference)
    return [flag for flag in found if flag is not None] + evaluation, assumptions
