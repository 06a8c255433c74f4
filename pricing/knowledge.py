"""The article's reference knowledge as versioned data: approaches, datasets, metrics, risks.

Each file ``pricing/reference/<version>.toml`` is one immutable reference version. Pricing tables
name the reference they go with (``[table] reference``); a table that names none uses the newest.
The Structs below are both the file's shape (unknown fields forbidden) and the API's schema.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog, PricingTable
from pricing.errors import NotFound, TableLoadError
from pricing.loader import read_spec

#: Where the reference files shipped with the package live.
REFERENCE_DIR = Path(__file__).parent / "reference"

ApproachId = Literal["prompt_engineering", "rag", "fine_tuning", "agents"]
TaskType = Literal["classification", "generation", "style_transfer", "qa"]
Level = Literal["low", "medium", "medium_high", "high", "very_high", "variable"]
Recurrence = Literal["one_time", "monthly"]

#: The approaches the article compares, in the order it lists them.
APPROACHES: tuple[ApproachId, ...] = ("fine_tuning", "rag", "prompt_engineering", "agents")
TASK_TYPES: tuple[TaskType, ...] = ("classification", "generation", "style_transfer", "qa")


class _Entry(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Base of every reference Struct: a misspelt key in a file stops the load."""


class CostBand(_Entry, kw_only=True):
    """The article's rough cost of an approach, as printed and as numbers."""

    text: Annotated[str, Meta(description="The band as the article prints it.")]
    low_usd: Annotated[Decimal, Meta(description="Low end of the band, USD.")]
    high_usd: Annotated[Decimal, Meta(description="High end of the band, USD.")]
    open_ended: Annotated[
        bool, Meta(description="True when the article marks the high end with '+' (no ceiling).")
    ]
    recurrence: Annotated[
        Recurrence, Meta(description="one_time (a project cost) or monthly (a running cost).")
    ]


class SetupTime(_Entry, kw_only=True):
    """How long an approach takes to set up, as printed and as numbers where given."""

    text: Annotated[str, Meta(description="The setup time as the article states it.")]
    unit: Annotated[Literal["hours", "days", "weeks"], Meta(description="Unit of low and high.")]
    low: Annotated[
        Annotated[int, Meta(ge=0)] | None, Meta(description="Low end in `unit`; null: not given.")
    ] = None
    high: Annotated[
        Annotated[int, Meta(ge=0)] | None, Meta(description="High end in `unit`; null: not given.")
    ] = None


class ApproachProfile(_Entry, kw_only=True):
    """One row of the article's comparison of approaches."""

    id: Annotated[ApproachId, Meta(description="Stable id of the approach.")]
    name: Annotated[str, Meta(description="Display name.")]
    cost_band: Annotated[CostBand, Meta(description="The article's cost band.")]
    latency: Annotated[Level, Meta(description="Response latency, relative to the others.")]
    accuracy: Annotated[Level, Meta(description="Accuracy the article expects.")]
    setup_time: Annotated[SetupTime, Meta(description="Time to set it up.")]
    maintenance: Annotated[Level, Meta(description="Ongoing maintenance effort.")]
    when_to_use: Annotated[list[str], Meta(description="Situations the approach suits.")]


class DatasetRequirement(_Entry, kw_only=True):
    """What a fine-tuning dataset of one task type needs, per the article."""

    task_type: Annotated[TaskType, Meta(description="The task the dataset trains.")]
    min_examples: Annotated[
        int, Meta(gt=0, description="Fewest examples, counted per `counted_per`.")
    ]
    counted_per: Annotated[
        Literal["class", "pair"],
        Meta(description="class: the minimum holds for every class; pair: for the whole set."),
    ]
    required_keys: Annotated[
        list[str], Meta(description="Keys every example (JSON object) must carry.")
    ]
    accepts_chat_messages: Annotated[
        bool, Meta(description='Whether chat format {"messages": [...]} is accepted instead.')
    ] = False
    quality_bar: Annotated[str, Meta(description="The quality the examples must reach.")]


class EvaluationMetric(_Entry, kw_only=True):
    """An evaluation metric with what it measures and its trap."""

    id: Annotated[str, Meta(description="Stable id, e.g. `rouge`.")]
    name: Annotated[str, Meta(description="Display name.")]
    measures: Annotated[str, Meta(description="What the metric measures.")]
    use_for: Annotated[list[str], Meta(description="Tasks it suits.")]
    gotcha: Annotated[str, Meta(description="How it misleads.")]
    automated: Annotated[bool, Meta(description="Whether a program computes it (no people).")]


class FailureMode(_Entry, kw_only=True):
    """How an approach typically fails, how to notice and what to do."""

    code: Annotated[str, Meta(description="Stable code, e.g. `context_overflow`.")]
    approach: Annotated[ApproachId, Meta(description="The approach that fails this way.")]
    name: Annotated[str, Meta(description="Display name.")]
    detection: Annotated[str, Meta(description="How to detect it.")]
    mitigation: Annotated[str, Meta(description="How to mitigate it.")]


class RedFlagDefinition(_Entry, kw_only=True):
    """One of the article's red flags, with the code responses use for it."""

    code: Annotated[str, Meta(description="Stable code used in `red_flags` of responses.")]
    name: Annotated[str, Meta(description="What the flag means.")]
    approach: Annotated[
        ApproachId | None, Meta(description="The approach it concerns; null: any approach.")
    ] = None
    threshold: Annotated[
        int | None, Meta(description="The number in the flag (examples or tokens), if any.")
    ] = None
    raised_as: Annotated[
        list[str],
        Meta(description="The codes responses use for its specific forms; empty: `code` itself."),
    ] = []

    def response_codes(self) -> list[str]:
        """The codes a response may carry for this flag."""
        return self.raised_as or [self.code]


class ReferenceInfo(_Entry, kw_only=True):
    """Header of a reference file."""

    version: str
    published: date
    source: str
    description: str


class ReferenceDocument(_Entry, kw_only=True):
    """One reference version: the whole file."""

    reference: ReferenceInfo
    approaches: list[ApproachProfile]
    dataset_requirements: list[DatasetRequirement]
    evaluation_metrics: list[EvaluationMetric]
    failure_modes: list[FailureMode]
    red_flags: list[RedFlagDefinition]

    @property
    def version(self) -> str:
        """The version: the reference's publication date."""
        return self.reference.version

    def approach(self, approach_id: ApproachId) -> ApproachProfile:
        """The profile of one approach (every file has all four)."""
        return next(a for a in self.approaches if a.id == approach_id)

    def requirement(self, task_type: TaskType) -> DatasetRequirement:
        """The dataset requirement of one task type (every file has all four)."""
        return next(r for r in self.dataset_requirements if r.task_type == task_type)

    def failure_modes_of(self, approach_id: ApproachId) -> list[FailureMode]:
        """The failure modes that concern one approach."""
        return [mode for mode in self.failure_modes if mode.approach == approach_id]

    def metric(self, name: str) -> EvaluationMetric | None:
        """The metric with this id or name (case, spaces and dashes ignored), or None."""
        key = _metric_key(name)
        return next(
            (m for m in self.evaluation_metrics if key in {_metric_key(m.id), _metric_key(m.name)}),
            None,
        )


def _metric_key(name: str) -> str:
    # "Human eval", "human-eval" and "human_eval" name the same metric.
    return re.sub(r"[\s_-]+", "_", name.strip().lower())


def load_reference(path: Path) -> ReferenceDocument:
    """Load and check one reference file.

    Raises:
        TableLoadError: The file is not of the expected shape or breaks a rule; the error names
            the file and the path inside it.
    """
    document, _ = read_spec(path, ReferenceDocument)
    problem = _first_problem(document, path.stem)
    if problem is not None:
        raise TableLoadError(str(path), *problem)
    return document


def _first_problem(document: ReferenceDocument, file_stem: str) -> tuple[str, str] | None:
    if document.version != file_stem:
        return "reference.version", f"{document.version!r} does not match the file name"
    checks = (
        _complete("approaches", [a.id for a in document.approaches], APPROACHES),
        _complete(
            "dataset_requirements",
            [r.task_type for r in document.dataset_requirements],
            TASK_TYPES,
        ),
        _unique("evaluation_metrics", [m.id for m in document.evaluation_metrics]),
        _unique("failure_modes", [m.code for m in document.failure_modes]),
        _unique_flags(document.red_flags),
        _bands(document.approaches),
    )
    return next((problem for problem in checks if problem is not None), None)


def _unique(section: str, keys: list[str]) -> tuple[str, str] | None:
    seen: set[str] = set()
    for index, key in enumerate(keys):
        if key in seen:
            return f"{section}[{index}]", f"duplicate {key!r}"
        seen.add(key)
    return None


def _unique_flags(red_flags: list[RedFlagDefinition]) -> tuple[str, str] | None:
    seen: set[str] = set()
    for index, flag in enumerate(red_flags):
        codes = {flag.code, *flag.raised_as}
        if codes & seen:
            return f"red_flags[{index}]", f"duplicate code {sorted(codes & seen)[0]!r}"
        seen |= codes
    return None


def _complete(section: str, keys: list[str], expected: Iterable[str]) -> tuple[str, str] | None:
    duplicate = _unique(section, keys)
    if duplicate is not None:
        return duplicate
    missing = [key for key in expected if key not in keys]
    if missing:
        return section, f"missing {', '.join(missing)}"
    return None


def _bands(approaches: list[ApproachProfile]) -> tuple[str, str] | None:
    for index, approach in enumerate(approaches):
        band = approach.cost_band
        if not 0 <= band.low_usd <= band.high_usd:
            return f"approaches[{index}].cost_band", "needs 0 <= low_usd <= high_usd"
        setup = approach.setup_time
        if setup.low is not None and setup.high is not None and setup.low > setup.high:
            return f"approaches[{index}].setup_time", "needs low <= high"
    return None


class ReferenceLibrary:
    """Every reference version, by version, with the newest as the default."""

    def __init__(self, documents: Iterable[ReferenceDocument]) -> None:
        self.documents = {document.version: document for document in documents}
        if not self.documents:
            raise ValueError("a reference library needs at least one version")
        self.latest_version = max(self.documents)

    def get(self, version: str | None) -> ReferenceDocument:
        """A reference by version; None is the newest.

        Raises:
            NotFound: No reference has that version.
        """
        if version is None:
            return self.documents[self.latest_version]
        document = self.documents.get(version)
        if document is None:
            close = difflib.get_close_matches(version, list(self.documents), 3, 0.3)
            raise NotFound("reference version", version, close or sorted(self.documents))
        return document

    def for_table(self, table: PricingTable) -> ReferenceDocument:
        """The reference a pricing table names (the newest when it names none)."""
        return self.get(table.reference)

    def check_catalog(self, catalog: Catalog) -> None:
        """Stop when a table names a reference version that does not exist.

        Raises:
            TableLoadError: Names the table file and ``table.reference``.
        """
        for table in catalog.tables.values():
            if table.reference is not None and table.reference not in self.documents:
                raise TableLoadError(
                    table.file_name,
                    "table.reference",
                    f"unknown reference version {table.reference!r}; "
                    f"known: {', '.join(sorted(self.documents))}",
                )


def load_library(directory: Path = REFERENCE_DIR) -> ReferenceLibrary:
    """Load and check every ``*.toml`` reference file of a directory.

    Raises:
        TableLoadError: A file is invalid, or there is none.
    """
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise TableLoadError(str(directory), "", "no *.toml reference files found")
    return ReferenceLibrary(load_reference(path) for path in files)


@functools.cache
def shipped_library() -> ReferenceLibrary:
    """The reference versions shipped with the package, loaded once per process."""
    return load_library()


TOPICS = ("approaches", "dataset-requirements", "evaluation-metrics", "failure-modes", "red-flags")


class _Topic(msgspec.Struct, kw_only=True, tag_field="topic"):
    """Fields every reference topic answer carries."""

    reference_version: Annotated[str, Meta(description="The reference version served.")]
    pricing_version: Annotated[str, Meta(description="The pricing table whose reference this is.")]
    source: Annotated[str, Meta(description="Where the knowledge comes from.")]


class ApproachesTopic(_Topic, kw_only=True, tag="approaches"):
    """The four approaches side by side, with their cost bands."""

    approaches: list[ApproachProfile]


class DatasetRequirementsTopic(_Topic, kw_only=True, tag="dataset-requirements"):
    """The dataset a fine-tuning run needs, per task type."""

    dataset_requirements: list[DatasetRequirement]


class EvaluationMetricsTopic(_Topic, kw_only=True, tag="evaluation-metrics"):
    """Evaluation metrics with what they measure and how they mislead."""

    evaluation_metrics: list[EvaluationMetric]


class FailureModesTopic(_Topic, kw_only=True, tag="failure-modes"):
    """How each approach fails, with detection and mitigation."""

    failure_modes: list[FailureMode]


class RedFlagsTopic(_Topic, kw_only=True, tag="red-flags"):
    """The article's red flags with the codes responses use."""

    red_flags: list[RedFlagDefinition]


ReferenceTopic = (
    ApproachesTopic
    | DatasetRequirementsTopic
    | EvaluationMetricsTopic
    | FailureModesTopic
    | RedFlagsTopic
)


def reference_topic(library: ReferenceLibrary, table: PricingTable, topic: str) -> ReferenceTopic:
    """One topic of the reference that a pricing table names.

    Args:
        library: The reference versions.
        table: The pricing table whose reference is wanted.
        topic: One of :data:`TOPICS`.

    Returns:
        The topic's answer.

    Raises:
        NotFound: Unknown topic; the closest topics are suggested.
    """
    document = library.for_table(table)
    common = {
        "reference_version": document.version,
        "pricing_version": table.version,
        "source": document.reference.source,
    }
    if topic == "approaches":
        return ApproachesTopic(approaches=document.approaches, **common)
    if topic == "dataset-requirements":
        return DatasetRequirementsTopic(
            dataset_requirements=document.dataset_requirements, **common
        )
    if topic == "evaluation-metrics":
        return EvaluationMetricsTopic(evaluation_metrics=document.evaluation_metrics, **common)
    if topic == "failure-modes":
        return FailureModesTopic(failure_modes=document.failure_modes, **common)
    if topic == "red-flags":
        return RedFlagsTopic(red_flags=document.red_flags, **common)
    close = difflib.get_close_matches(topic, TOPICS, 3, 0.3)
    raise NotFound("reference topic", topic, close or list(TOPICS), "$.topic")
