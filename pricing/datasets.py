"""validateDataset: is a fine-tuning dataset ready? Checked example by example, nothing kept.

The validator takes one example's bytes at a time (from :mod:`pricing.framing`) and keeps only
counts, line numbers and 64-bit digests, never the text, so memory grows with the number of
distinct examples and classes, not with their length. Positions are 1-based line numbers for
JSONL and 1-based item numbers for a JSON array.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from pricing import flags
from pricing.catalog import Catalog
from pricing.checks import MAX_LISTED, Capped, RunningStats, Stats
from pricing.errors import InvalidInput
from pricing.estimators.training import (
    ApiTrainingRequest,
    DatasetTokens,
    TrainingEstimate,
    estimate_dataset_training,
)
from pricing.framing import MAX_EXAMPLE_BYTES, Record
from pricing.jsonkeys import duplicate_key_path
from pricing.knowledge import DatasetRequirement, TaskType
from pricing.results import Assumption, Notice
from pricing.tokens import TokenCounter

#: An example passes below this many tokens (the article's check is `len(x) < 4000`).
MAX_EXAMPLE_TOKENS = 4000
#: Values of `split` that hold an example out of training.
HELD_OUT_SPLITS = frozenset({"validation", "test"})
TRAIN_SPLIT = "train"
_SPLITS = frozenset({*HELD_OUT_SPLITS, TRAIN_SPLIT})
#: Roles a chat-format message may have (OpenAI's chat fine-tuning format).
CHAT_ROLES = frozenset({"system", "user", "assistant", "tool"})
PROMPT_ROLES = frozenset({"system", "user"})

BodyFormat = Literal["jsonl", "json_array"]
ProblemCode = Literal[
    "malformed_json",
    "not_utf8",
    "duplicate_keys",
    "oversized_example",
    "missing_keys",
    "invalid_values",
    "duplicate_examples",
    "too_long",
    "too_few_examples",
    "single_class",
    "no_held_out_split",
]

_DECODER = msgspec.json.Decoder()
_CANONICAL = msgspec.json.Encoder(order="sorted")


def _is_utf8(raw: bytes) -> bool:
    """Whether a line that is not JSON is at least UTF-8 text.

    A NUL byte counts as not: JSON text never holds one raw, and UTF-16 or UTF-32 puts one in
    every ASCII character (so a UTF-16 line can still decode as UTF-8).
    """
    if b"\x00" in raw:
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class DatasetProblem(msgspec.Struct, kw_only=True):
    """One kind of problem, with where it occurs."""

    code: Annotated[ProblemCode, Meta(description="Stable code of the problem.")]
    message: Annotated[str, Meta(description="What is wrong and what to do.")]
    count: Annotated[int, Meta(description="How many examples have it (0: dataset-wide).")]
    lines: Annotated[
        list[int],
        Meta(
            description=f"The first {MAX_LISTED} line numbers (JSONL) or item numbers (JSON "
            "array) concerned, 1-based; empty for dataset-wide problems."
        ),
    ] = []


class DuplicateExample(msgspec.Struct, kw_only=True):
    """An example identical to an earlier one (keys in any order, `split` left out)."""

    line: Annotated[int, Meta(description="Line (or item) of the copy.")]
    duplicate_of: Annotated[int, Meta(description="Line (or item) of the first occurrence.")]
    digest: Annotated[str, Meta(description="BLAKE2b-64 digest of the canonical example, hex.")]


class ClassCount(msgspec.Struct, kw_only=True):
    """One class of a classification set, named by digest and first line, never by its text."""

    digest: Annotated[
        str,
        Meta(
            description="BLAKE2b-64 digest of the class name, hex (a whole-number label is "
            'named by its decimal text: 1, 1.0 and "1" are one class).'
        ),
    ]
    first_line: Annotated[int, Meta(description="Line (or item) where the label first occurs.")]
    training_examples: Annotated[int, Meta(description="Examples of the class used to train.")]
    held_out_examples: Annotated[int, Meta(description="Examples of the class held out.")]


class ClassSummary(msgspec.Struct, kw_only=True):
    """Classes of a classification set."""

    count: Annotated[int, Meta(description="How many distinct labels.")]
    below_minimum: Annotated[
        int, Meta(description="Classes with fewer training examples than the minimum.")
    ]
    smallest: Annotated[
        list[ClassCount],
        Meta(description=f"Up to {MAX_LISTED} classes, fewest training examples first."),
    ]


class DatasetReport(msgspec.Struct, kw_only=True):
    """Whether a dataset is ready for fine-tuning: counts, line numbers and digests only."""

    ready: Annotated[bool, Meta(description="True when no problem was found.")]
    task_type: Annotated[TaskType, Meta(description="The task type checked against.")]
    format: Annotated[BodyFormat, Meta(description="jsonl or json_array.")]
    lines: Annotated[int, Meta(description="Examples read (non-blank lines or array items).")]
    blank_lines: Annotated[int, Meta(description="Blank JSONL lines, skipped.")] = 0
    valid_examples: Annotated[int, Meta(description="Examples that passed the key checks.")]
    training_examples: Annotated[
        int, Meta(description="Valid examples without a held-out `split`.")
    ]
    held_out_examples: Annotated[
        int, Meta(description="Valid examples with `split` validation or test.")
    ]
    min_examples: Annotated[int, Meta(description="The article's minimum for this task type.")]
    counted_per: Annotated[
        Literal["class", "pair"], Meta(description="Whether the minimum is per class or overall.")
    ]
    classes: Annotated[
        ClassSummary | None, Meta(description="Classification only: the classes found.")
    ] = None
    problems: Annotated[list[DatasetProblem], Meta(description="Every problem found.")]
    duplicates: Annotated[
        list[DuplicateExample],
        Meta(description=f"The first {MAX_LISTED} exact duplicates with their originals."),
    ] = []
    tokenizer: Annotated[str, Meta(description="The encoding that counted tokens.")]
    tokens: Annotated[
        Stats, Meta(description="Tokens per valid example (its string values joined).")
    ]
    red_flags: Annotated[list[Notice], Meta(description="The article's red flags raised.")] = []
    assumptions: Annotated[list[Assumption], Meta(description="Defaults applied.")] = []
    reference_version: Annotated[str, Meta(description="Reference of the requirements.")]
    pricing_version: Annotated[
        str,
        Meta(
            description="The table checked against: its reference holds the requirements and, "
            "with `model`, its prices the training estimate."
        ),
    ]
    training_estimate: Annotated[
        TrainingEstimate | None,
        Meta(
            description="When a model is named: fine-tuning it on the training examples "
            "(mode api), as POST /v1/estimates/training answers."
        ),
    ] = None


class _Class:
    __slots__ = ("first_line", "held_out", "training")

    def __init__(self, first_line: int) -> None:
        self.first_line = first_line
        self.training = 0
        self.held_out = 0


def _digest(value: Any) -> bytes:
    return hashlib.blake2b(_CANONICAL.encode(value), digest_size=8).digest()


def _strings(value: Any) -> Iterator[str]:
    """Every string value inside a JSON value, in document order (keys left out).

    Iterative, so a deeply nested example cannot exhaust the interpreter's stack.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            pending.extend(reversed(item))


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def class_name(label: Any) -> str | None:
    """The class a label names, or None when it names none.

    A label is non-empty text or a whole number; a whole number and its decimal text name the
    same class (``1``, ``1.0`` and ``"1"``). Booleans, fractions (``1.5``) and objects are not
    labels.
    """
    if isinstance(label, bool):
        return None
    if isinstance(label, int):
        return str(label)
    if isinstance(label, float) and label.is_integer():
        return str(int(label))
    return label if _text(label) else None


def split_valid(split: Any) -> bool:
    """Whether an example's `split` is absent (null) or one of train, validation and test."""
    return split is None or (isinstance(split, str) and split in _SPLITS)


def _chat_message_valid(message: Any) -> bool:
    """A known role and text content; an assistant turn may carry tool calls instead of text."""
    if not isinstance(message, dict):
        return False
    role = message.get("role")
    if not isinstance(role, str) or role not in CHAT_ROLES:
        return False
    if _text(message.get("content")):
        return True
    calls = message.get("tool_calls")
    return role == "assistant" and message.get("content") is None and bool(calls)


def chat_valid(messages: Any) -> bool:
    """Chat-format messages that can train: every message valid, a prompt and a text answer.

    At least one system or user message and one assistant message with non-empty text.
    """
    if not isinstance(messages, list) or not all(_chat_message_valid(m) for m in messages):
        return False
    texts = {m["role"] for m in messages if _text(m.get("content"))}
    return bool(texts & PROMPT_ROLES) and "assistant" in texts


class DatasetValidator:
    """Checks examples one at a time against the article's requirements for a task type."""

    def __init__(
        self,
        requirement: DatasetRequirement,
        counter: TokenCounter,
        body_format: BodyFormat,
        training_context: int | None = None,
    ) -> None:
        """Start an empty check.

        Args:
            requirement: The article's requirement for the task type.
            counter: Counts tokens.
            body_format: jsonl or json_array.
            training_context: Tokens of one example the provider trains on, when a model is
                named: each training example is billed up to it (None: not capped).
        """
        self.requirement = requirement
        self.counter = counter
        self.format = body_format
        self.training_context = training_context
        self.lines = 0
        self.training = 0
        self.held_out = 0
        self.found: dict[ProblemCode, Capped] = {}
        self.first_seen: dict[bytes, int] = {}
        self.duplicates = Capped()
        self.classes: dict[bytes, _Class] = {}
        self.tokens = RunningStats()
        self.training_tokens = 0
        self.billed_tokens = 0
        self.truncated = 0

    def add(self, record: Record) -> None:
        """Check one example: its position and bytes (None when over the size cap)."""
        line, raw = record
        self.lines += 1
        if raw is None:
            self._flag("oversized_example", line)
            return
        try:
            example = _DECODER.decode(raw)
        except (msgspec.DecodeError, RecursionError):  # not JSON, or nested beyond reading
            # A line saved in another encoding (Latin-1 "café", UTF-16) is told apart: "not
            # valid JSON" sends a person looking for a missing brace that is not missing.
            self._flag("malformed_json" if _is_utf8(raw) else "not_utf8", line)
            return
        if not isinstance(example, dict):
            self._flag("malformed_json", line)
            return
        try:
            repeated = duplicate_key_path(raw)
        except RecursionError:  # parsed by msgspec, too deep for the exact check
            repeated = "$"
        if repeated is not None:
            # Which of two prompts (or labels) a trainer would keep is the trainer's guess.
            self._flag("duplicate_keys", line)
            return
        if self._keys_valid(example, line):
            self._count(example, line)

    def _flag(self, code: ProblemCode, line: int) -> None:
        self.found.setdefault(code, Capped()).add(line)

    def _keys_valid(self, example: dict[str, Any], line: int) -> bool:
        keys = self.requirement.required_keys
        if self.requirement.accepts_chat_messages and "messages" in example:
            values_valid = chat_valid(example["messages"])
        elif any(example.get(key) is None for key in keys):
            self._flag("missing_keys", line)
            return False
        else:
            values_valid = all(self._value_valid(key, example[key]) for key in keys)
        # Both formats take the same `split`; any JSON value may sit there (a list or an object
        # is not hashable, so it is tested as text first, never looked up in a set).
        if not values_valid or not split_valid(example.get("split")):
            self._flag("invalid_values", line)
            return False
        return True

    def _value_valid(self, key: str, value: Any) -> bool:
        if key == "label":
            return class_name(value) is not None
        return _text(value)

    def _count(self, example: dict[str, Any], line: int) -> None:
        held_out = example.pop("split", None) in HELD_OUT_SPLITS
        if held_out:
            self.held_out += 1
        else:
            self.training += 1

        tokens = self.counter.count("\n".join(_strings(example)))
        self.tokens.add(tokens)
        if not held_out:
            self._bill(tokens)
        if tokens >= MAX_EXAMPLE_TOKENS:
            self._flag("too_long", line)

        if self.requirement.counted_per == "class":
            # 1 and "1" are one class, and two examples that differ only so are duplicates.
            example["label"] = class_name(example["label"])
            tally = self.classes.setdefault(_digest(example["label"]), _Class(line))
            if held_out:
                tally.held_out += 1
            else:
                tally.training += 1

        digest = _digest(example)
        first = self.first_seen.setdefault(digest, line)
        if first != line:
            self._flag("duplicate_examples", line)
            self.duplicates.add(
                DuplicateExample(line=line, duplicate_of=first, digest=digest.hex())
            )

    def _bill(self, tokens: int) -> None:
        """Add a training example to the token sums, capped at the training context."""
        self.training_tokens += tokens
        limit = self.training_context
        if limit is not None and tokens > limit:
            self.truncated += 1
            tokens = limit
        self.billed_tokens += tokens

    def report(
        self, blank_lines: int, reference_version: str, pricing_version: str
    ) -> DatasetReport:
        """The report of everything seen so far.

        Args:
            blank_lines: Blank JSONL lines the framer skipped.
            reference_version: The reference whose requirements were checked.
            pricing_version: The table that reference belongs to (and, with a model, whose
                prices the training estimate uses).

        Raises:
            InvalidInput: No example at all (an empty body, blank lines only, or ``[]``).
        """
        if self.lines == 0:
            raise InvalidInput(
                "$",
                "the dataset is empty: no example found (send one JSON object per line, or a "
                "JSON array of objects)",
            )
        problems = [self._problem(code, capped) for code, capped in self.found.items()]
        problems.sort(key=lambda p: _ORDER.index(p.code))
        problems += self._dataset_problems()
        red_flags = [flags.few_examples(self.training)]
        if not self.held_out:
            red_flags.append(flags.no_held_out())
        return DatasetReport(
            ready=not problems,
            task_type=self.requirement.task_type,
            format=self.format,
            lines=self.lines,
            blank_lines=blank_lines,
            valid_examples=self.training + self.held_out,
            training_examples=self.training,
            held_out_examples=self.held_out,
            min_examples=self.requirement.min_examples,
            counted_per=self.requirement.counted_per,
            classes=self._class_summary(),
            problems=problems,
            duplicates=self.duplicates.items,
            tokenizer=self.counter.encoding,
            tokens=self.tokens.result(),
            red_flags=[flag for flag in red_flags if flag is not None],
            reference_version=reference_version,
            pricing_version=pricing_version,
        )

    def _problem(self, code: ProblemCode, capped: Capped) -> DatasetProblem:
        return DatasetProblem(
            code=code, message=_MESSAGES[code], count=capped.count, lines=capped.items
        )

    def _dataset_problems(self) -> list[DatasetProblem]:
        minimum = self.requirement.min_examples
        problems = []
        if self.requirement.counted_per == "class":
            short = sum(1 for c in self.classes.values() if c.training < minimum)
            if len(self.classes) < 2:
                problems.append(self._whole("single_class", f"{len(self.classes)} found"))
            if not self.classes:
                problems.append(
                    self._whole("too_few_examples", "no class found: no example is valid")
                )
            elif short:
                problems.append(
                    self._whole(
                        "too_few_examples",
                        f"{short:,} of {len(self.classes):,} classes have fewer than "
                        f"{minimum:,} training examples",
                    )
                )
        elif self.training < minimum:
            problems.append(
                self._whole(
                    "too_few_examples",
                    f"{self.training:,} training examples, fewer than the {minimum:,} required",
                )
            )
        if not self.held_out:
            problems.append(self._whole("no_held_out_split"))
        return problems

    def _whole(self, code: ProblemCode, detail: str | None = None) -> DatasetProblem:
        message = _MESSAGES[code] if detail is None else f"{_MESSAGES[code]}: {detail}"
        return DatasetProblem(code=code, message=message, count=0)

    def _class_summary(self) -> ClassSummary | None:
        if self.requirement.counted_per != "class":
            return None
        ordered = sorted(self.classes.items(), key=lambda item: item[1].training)
        smallest = [
            ClassCount(
                digest=digest.hex(),
                first_line=tally.first_line,
                training_examples=tally.training,
                held_out_examples=tally.held_out,
            )
            for digest, tally in ordered[:MAX_LISTED]
        ]
        minimum = self.requirement.min_examples
        return ClassSummary(
            count=len(self.classes),
            below_minimum=sum(1 for c in self.classes.values() if c.training < minimum),
            smallest=smallest,
        )


def attach_training_estimate(
    report: DatasetReport,
    validator: DatasetValidator,
    catalog: Catalog,
    pricing_version: str,
    model: str,
) -> None:
    """Add the cost of fine-tuning ``model`` on the dataset's training examples to the report.

    Billed exactly: each training example's tokens capped at the training context the
    validator was given, summed (DESIGN §4.3 caps each example, not the mean).

    Raises:
        NotFound: The model has no fine-tuning entry in the table.
    """
    examples = validator.training
    if examples == 0:
        report.assumptions.append(
            Assumption(name="training_estimate", value="none", note="no valid training example")
        )
        return

    request = ApiTrainingRequest(
        model=model,
        examples=examples,
        # Not billed (the exact sums below are); the capped mean, rounded up, for the record.
        tokens_per_example=max(1, -(-validator.billed_tokens // examples)),
        pricing_version=pricing_version,
    )
    tokens = DatasetTokens(
        billed_tokens=validator.billed_tokens, truncated_examples=validator.truncated
    )
    report.training_estimate = estimate_dataset_training(catalog, request, tokens)
    report.assumptions.append(
        Assumption(
            name="training_tokens_per_epoch",
            value=str(validator.billed_tokens),
            note=(
                f"{examples} training examples, {validator.training_tokens} tokens, each example "
                "capped at the training context; tokens of the examples' text only (the "
                "provider adds a few per chat message)"
            ),
        )
    )


_MESSAGES: dict[ProblemCode, str] = {
    "malformed_json": "not valid JSON, or not a JSON object",
    "not_utf8": (
        "not UTF-8 text (saved as Latin-1, Windows-1252 or UTF-16?): re-save the file as UTF-8"
    ),
    "duplicate_keys": "an object holds the same key twice, so which value is meant is ambiguous",
    "oversized_example": f"longer than {MAX_EXAMPLE_BYTES:,} bytes: not parsed",
    "missing_keys": "a required key is missing or null",
    "invalid_values": (
        "a required value is empty or of the wrong type (text expected; a label is text or a "
        'whole number, and 1, 1.0 and "1" are one class; chat examples need messages with '
        "a role of system, user, assistant or tool and text content, at least one system or "
        "user message and one assistant answer), or `split` is not train, validation or test"
    ),
    "duplicate_examples": "exact copy of an earlier example (key order and `split` ignored)",
    "too_long": f"{MAX_EXAMPLE_TOKENS:,} tokens or more once its text values are joined",
    "too_few_examples": "fewer examples than the article's minimum",
    "single_class": "a classifier needs at least two classes",
    "no_held_out_split": "no example has `split` set to validation or test",
}
_ORDER = list(_MESSAGES)
