"""The dataset readiness checks of DESIGN §5, example by example, nothing kept."""

from __future__ import annotations

import json
import tracemalloc
from decimal import Decimal

import pytest

from pricing import flags
from pricing.catalog import Catalog
from pricing.datasets import DatasetReport, DatasetValidator, attach_training_estimate
from pricing.errors import InvalidInput
from pricing.estimators.training import training_context
from pricing.framing import ArrayFramer, LineFramer
from pricing.knowledge import shipped_library
from pricing.tokens import counter

REFERENCE = shipped_library().get("2026-03-30")


def check(task_type: str, lines: list[str]) -> DatasetReport:
    validator = DatasetValidator(REFERENCE.requirement(task_type), counter(), "jsonl")
    framer = LineFramer()
    for record in framer.feed("\n".join(lines).encode()):
        validator.add(record)
    for record in framer.close():
        validator.add(record)
    return validator.report(framer.blank_lines, REFERENCE.version, "2026-12-01")


def problems(report: DatasetReport) -> dict[str, tuple[int, list[int]]]:
    return {p.code: (p.count, p.lines) for p in report.problems}


def row(**fields: object) -> str:
    return json.dumps(fields)


def test_twelve_line_classification_set() -> None:
    # The brief's case: one malformed line, one without `label`, two exact duplicates, one class,
    # no held-out split.
    lines = [row(input=f"review number {n}", label="positive") for n in range(1, 13)]
    lines[2] = '{"input": "broken", "label": '  # line 3
    lines[4] = row(input="no label here")  # line 5
    lines[8] = json.dumps({"label": "positive", "input": "review number 8"})  # line 9 = line 8
    report = check("classification", lines)

    assert not report.ready
    assert problems(report) == {
        "malformed_json": (1, [3]),
        "missing_keys": (1, [5]),
        "duplicate_examples": (1, [9]),
        "single_class": (0, []),
        "too_few_examples": (0, []),
        "no_held_out_split": (0, []),
    }
    assert [(d.line, d.duplicate_of) for d in report.duplicates] == [(9, 8)]
    assert report.valid_examples == 10
    assert report.classes is not None
    assert report.classes.count == 1
    assert report.classes.smallest[0].first_line == 1
    assert report.classes.smallest[0].training_examples == 10
    assert [f.code for f in report.red_flags] == [flags.FEW_EXAMPLES, flags.NO_HELD_OUT]


def test_report_holds_no_text() -> None:
    lines = [row(input="SECRET-INPUT", label="SECRET-LABEL"), "{SECRET-BROKEN"]
    report = check("classification", lines)
    assert "SECRET" not in json.dumps(_builtins(report))


def _builtins(report: DatasetReport) -> object:
    import msgspec

    return msgspec.to_builtins(report)


def test_ready_pair_set() -> None:
    # QA needs 3,000 pairs (dataset requirements); held-out lines do not count toward it.
    lines = [row(question=f"q{n}?", answer=f"a{n}.") for n in range(3000)]
    lines += [row(question=f"h{n}?", answer="x", split="test") for n in range(10)]
    report = check("qa", lines)
    assert report.ready, report.problems
    assert (report.training_examples, report.held_out_examples) == (3000, 10)
    assert report.red_flags == []


def test_pair_minimum_is_strict() -> None:
    lines = [row(source=f"s{n}", target=f"t{n}") for n in range(1999)]
    lines.append(row(source="v", target="w", split="validation"))
    report = check("style_transfer", lines)
    assert problems(report) == {"too_few_examples": (0, [])}
    assert "1,999 training examples" in report.problems[0].message


def test_classes_counted_per_class() -> None:
    lines = [row(input=f"a{n}", label="spam") for n in range(1000)]
    lines += [row(input=f"b{n}", label=7) for n in range(999)]
    lines.append(row(input="held", label="spam", split="test"))
    report = check("classification", lines)
    assert problems(report) == {"too_few_examples": (0, [])}
    assert report.classes is not None
    assert (report.classes.count, report.classes.below_minimum) == (2, 1)
    assert [c.training_examples for c in report.classes.smallest] == [999, 1000]
    assert report.classes.smallest[1].held_out_examples == 1


def test_chat_format_accepted_for_generation_only() -> None:
    chat = row(messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}])
    no_answer = row(messages=[{"role": "user", "content": "hi"}])
    report = check("generation", [chat, no_answer, row(prompt="p", completion="c")])
    assert problems(report)["invalid_values"] == (1, [2])
    assert report.valid_examples == 2
    assert problems(check("qa", [chat]))["missing_keys"] == (1, [1])


def test_wrong_values_and_splits() -> None:
    lines = [
        row(prompt="p", completion=""),
        row(prompt="p", completion=3),
        row(prompt="p", completion="c", split="holdout"),
        row(prompt=None, completion="c"),
        "[1, 2]",
    ]
    got = problems(check("generation", lines))
    assert got["invalid_values"] == (3, [1, 2, 3])
    assert got["missing_keys"] == (1, [4])
    assert got["malformed_json"] == (1, [5])


def test_deeply_nested_line_is_malformed_not_fatal() -> None:
    deep = '{"prompt": ' + "[" * 5000 + "]" * 5000 + ', "completion": "c"}'
    nested = json.dumps({"prompt": "p", "completion": "c", "meta": [[["x", {"y": ["z"]}]]]})
    report = check("generation", [deep, nested])
    assert problems(report)["malformed_json"] == (1, [1])
    # The string values in document order, joined with newlines:
    assert report.tokens.total == counter().count("p\nc\nx\nz")


def test_same_example_in_train_and_test_is_a_duplicate() -> None:
    lines = [row(prompt="p", completion="c"), row(completion="c", prompt="p", split="test")]
    assert problems(check("generation", lines))["duplicate_examples"] == (1, [2])


def test_too_long_at_4000_tokens() -> None:
    # " a" is one o200k token; prompt "b" + "\n" + completion: "b\n" is 2 tokens (checked below).
    assert counter().count("b\n" + " a" * 3997) == 3999
    short = row(prompt="b", completion=" a" * 3997)
    long = row(prompt="b", completion=" a" * 3998)
    report = check("generation", [short, long])
    assert problems(report)["too_long"] == (1, [2])
    assert (report.tokens.min, report.tokens.max, report.tokens.total) == (3999, 4000, 7999)
    assert report.tokens.mean == 3999.5


def test_listing_capped_at_100() -> None:
    report = check("qa", ["{"] * 150)
    assert problems(report)["malformed_json"][0] == 150
    assert problems(report)["malformed_json"][1] == list(range(1, 101))


def test_memory_does_not_grow_with_line_length() -> None:
    # A 40 MB line arrives in 64 KB chunks: the framer drops it as it comes (cap 1 MB).
    piece = b"x" * 65_536
    validator = DatasetValidator(REFERENCE.requirement("qa"), counter(), "jsonl")
    framer = LineFramer()
    tracemalloc.start()
    for _ in range(640):
        for record in framer.feed(piece):
            validator.add(record)
    for record in framer.feed(b"\n" + row(question="q", answer="a").encode()):
        validator.add(record)
    for record in framer.close():
        validator.add(record)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 3_000_000
    report = validator.report(0, REFERENCE.version, "2026-12-01")
    assert problems(report)["oversized_example"] == (1, [1])
    assert report.valid_examples == 1


def test_training_estimate_per_trained_token(catalog: Catalog) -> None:
    # spend-models §5.4 FT-1: 2,000 examples × 800 tokens × 3 epochs = 4,800,000 trained tokens
    # on gpt-4.1-mini at $5 per 1M = $24.00. Each example here is exactly 800 tokens:
    # "NNNN" (2 tokens) + "\n" + 797 × " a" (checked in the assertion on the total).
    lines = [row(question=f"{n:04d}", answer=" a" * 797) for n in range(2000)]
    lines.append(row(question="held", answer="out", split="test"))
    validator, report = check_with(catalog, "qa", lines, "gpt-4.1-mini", "2026-12-01")
    assert validator.training_tokens == 1_600_000
    estimate = report.training_estimate
    assert estimate is not None
    assert (estimate.examples, estimate.epochs, estimate.trained_tokens) == (2000, 3, 4_800_000)
    assert estimate.one_time_usd == Decimal("24.00")
    said = [(a.name, a.value) for a in report.assumptions]
    assert ("training_tokens_per_epoch", "1600000") in said


def test_training_estimate_per_example_on_the_articles_table(catalog: Catalog) -> None:
    # The article's table: gpt-3.5-turbo $0.80 per 1k examples; 2,000 × 3 epochs = $4.80.
    lines = [row(question=f"q{n}", answer="a") for n in range(2000)]
    _, report = check_with(catalog, "qa", lines, "gpt-3.5-turbo", "2026-03-30")
    assert report.training_estimate is not None
    assert report.training_estimate.one_time_usd == Decimal("4.80")


def test_no_training_examples_no_estimate(catalog: Catalog) -> None:
    _, report = check_with(catalog, "qa", ["{"], "gpt-4.1-mini", "2026-12-01")
    assert report.training_estimate is None
    assert report.assumptions[-1].name == "training_estimate"


def check_with(
    catalog: Catalog, task_type: str, lines: list[str], model: str, version: str
) -> tuple[DatasetValidator, DatasetReport]:
    context = training_context(catalog.get(version).resolve_fine_tune(model))
    requirement = REFERENCE.requirement(task_type)  # type: ignore[arg-type]
    validator = DatasetValidator(requirement, counter(), "jsonl", context)
    framer = LineFramer()
    for record in [*framer.feed("\n".join(lines).encode()), *framer.close()]:
        validator.add(record)
    report = validator.report(0, REFERENCE.version, version)
    attach_training_estimate(report, validator, catalog, version, model)
    return validator, report


def qa_of(tokens: int) -> str:
    """A QA example of exactly ``tokens`` o200k tokens: "b" + "\\n" (2) + " a" per token."""
    return row(question="b", answer=" a" * (tokens - 2))


def test_each_example_is_capped_at_the_training_context(catalog: Catalog) -> None:
    # Reported: the MEAN was capped. gpt-3.5-turbo trains on 16,385 tokens of an example
    # (spend-models §5.1), $8 per 1M trained tokens (§5.2). Two examples of 20,000 and 3
    # tokens, default epochs min(25, ⌊100/2⌋) = 25: (16,385 + 3) × 25 = 409,700 trained
    # tokens = $3.2776. The capped mean would have said 2 × 10,002 × 25 = 500,100.
    assert counter().count("b\n" + " a" * 19_998) == 20_000
    assert counter().count("b\n a") == 3
    validator, report = check_with(
        catalog, "qa", [qa_of(20_000), qa_of(3)], "gpt-3.5-turbo", "2026-12-01"
    )
    estimate = report.training_estimate
    assert estimate is not None
    assert (estimate.epochs, estimate.trained_tokens) == (25, 409_700)
    assert estimate.one_time_usd == Decimal("3.2776")
    assert estimate.api is not None
    assert estimate.api.billed_tokens_per_example == Decimal(8194)  # 16,388 / 2
    [warning] = estimate.warnings
    assert warning.code == "examples_truncated"
    assert warning.message.startswith("1 of 2 training examples exceed the 16385-token")
    assert (validator.training_tokens, validator.billed_tokens) == (20_003, 16_388)


def test_token_sums_are_exact_not_a_rounded_mean(catalog: Catalog) -> None:
    # 40 examples of 7,500 tokens in all (20 of 187, 20 of 188), 3 epochs (40 × 3 = 120, in
    # 100..25,000): 22,500 trained tokens, $0.1125 at gpt-4.1-mini's $5 per 1M. The rounded-up
    # mean (188) said 40 × 188 × 3 = 22,560.
    lines = [qa_of(187)] * 20 + [qa_of(188)] * 20
    _, report = check_with(catalog, "qa", lines, "gpt-4.1-mini", "2026-12-01")
    estimate = report.training_estimate
    assert estimate is not None
    assert report.tokens.total == 7500
    assert (estimate.epochs, estimate.trained_tokens) == (3, 22_500)
    assert estimate.one_time_usd == Decimal("0.1125")
    assert estimate.warnings == []


def test_memory_stays_flat_with_many_examples(catalog: Catalog) -> None:
    # The sums are accumulated: 20,000 distinct examples of 1 KB (20 MB of text) hold only
    # their 8-byte digests.
    context = training_context(catalog.get("2026-12-01").resolve_fine_tune("gpt-4.1-mini"))
    validator = DatasetValidator(REFERENCE.requirement("qa"), counter(), "jsonl", context)
    framer = LineFramer()
    tracemalloc.start()
    for n in range(20_000):
        for record in framer.feed((row(question=f"q{n}", answer="x" * 1000) + "\n").encode()):
            validator.add(record)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 6_000_000  # about 100 bytes per digest entry; no text kept
    assert validator.training == 20_000


CHAT_CASES = [
    ([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}], True),
    (
        [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
            {"role": "tool", "content": "sunny"},
            {"role": "assistant", "content": "sunny"},
        ],
        True,
    ),
    ([{"role": "system", "content": "s"}, {"role": "assistant", "content": "a"}], True),
    ([{"role": "assistant"}], False),  # the reported case
    ([{"role": "assistant", "content": "only an answer"}], False),
    ([{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""}], False),
    ([{"role": "user", "content": None}, {"role": "assistant", "content": "a"}], False),
    ([{"role": "user", "content": "  "}, {"role": "assistant", "content": "a"}], False),
    ([{"role": "bot", "content": "hi"}, {"role": "assistant", "content": "a"}], False),
    ([{"role": ["user"], "content": "hi"}, {"role": "assistant", "content": "a"}], False),
    ([{"role": "user", "content": "hi"}, {"role": "assistant", "content": 3}], False),
    (
        [{"role": "user", "content": "hi"}, {"role": "assistant", "content": None}],
        False,  # no text and no tool call
    ),
    ([], False),
    ("hi", False),
]


@pytest.mark.parametrize(("messages", "valid"), CHAT_CASES)
def test_chat_examples_need_a_prompt_and_a_text_answer(messages: object, valid: bool) -> None:
    report = check("generation", [row(messages=messages)])
    assert report.valid_examples == int(valid)
    assert ("invalid_values" in problems(report)) is not valid


def test_labels_are_text_or_whole_numbers_and_1_is_1() -> None:
    # One rule: a label is text or a whole number; 1, 1.0 and "1" name the same class.
    lines = [
        row(input="a", label=1),
        row(input="b", label="1"),
        row(input="c", label=1.0),
        row(input="d", label="spam"),
        row(input="e", label=1.5),  # line 5: a fraction names no class
        row(input="f", label=True),  # line 6
        row(input="a", label="1"),  # line 7: the same example as line 1
    ]
    report = check("classification", lines)
    assert problems(report)["invalid_values"] == (2, [5, 6])
    assert problems(report)["duplicate_examples"] == (1, [7])
    assert report.classes is not None
    assert sorted(c.training_examples for c in report.classes.smallest) == [1, 4]
    message = next(p.message for p in report.problems if p.code == "invalid_values")
    assert "a label is text or a whole number" in message


def test_no_valid_example_reports_no_data_not_zeros() -> None:
    report = check("classification", [row(input="no label")])
    assert (report.tokens.min, report.tokens.mean, report.tokens.max) == (None, None, None)
    assert report.tokens.total == 0
    message = next(p.message for p in report.problems if p.code == "too_few_examples")
    assert message.endswith("no class found: no example is valid")
    assert "0 of 0" not in message


@pytest.mark.parametrize("lines", [[], [""], ["", "  "]])
def test_a_dataset_without_examples_is_refused(lines: list[str]) -> None:
    with pytest.raises(InvalidInput) as caught:
        check("qa", lines)
    assert caught.value.path == "$"
    assert caught.value.reason.startswith("the dataset is empty")


@pytest.mark.parametrize("split", [["test"], {"name": "test"}, 1, True, "holdout", "", "TEST"])
def test_a_split_that_is_not_train_validation_or_test_is_invalid_in_both_formats(
    split: object,
) -> None:
    # Reported: a list or an object as `split` was looked up in a set (a 500), and a chat
    # example's `split` was not checked at all ("bogus" passed as a training example).
    chat = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]
    lines = [
        row(prompt="p", completion="c", split=split),
        row(messages=chat, split=split),
        row(prompt="q", completion="d"),
    ]
    report = check("generation", lines)
    assert problems(report)["invalid_values"] == (2, [1, 2])
    assert (report.lines, report.valid_examples, report.training_examples) == (3, 1, 1)


def test_a_chat_example_held_out_by_its_split() -> None:
    chat = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]
    report = check("generation", [row(messages=chat, split="validation"), row(messages=chat)])
    assert (report.training_examples, report.held_out_examples) == (1, 1)
    assert "no_held_out_split" not in problems(report)


def _framed(framer: LineFramer | ArrayFramer, body: bytes, cut: int) -> list:
    return [*framer.feed(body[:cut]), *framer.feed(body[cut:]), *framer.close()]


@pytest.mark.parametrize("cut", range(8))
def test_a_bom_is_dropped_wherever_the_stream_cuts_the_body(cut: int) -> None:
    # Reported: a BOM sent in a chunk of its own (or cut after its first byte) stayed in front
    # of line 1, which was then malformed, and made a JSON array "not an array".
    lines = b'\xef\xbb\xbf{"question": "q", "answer": "a"}\r\n'
    assert _framed(LineFramer(), lines, cut) == [(1, b'{"question": "q", "answer": "a"}')]
    array = b'\xef\xbb\xbf[{"question": "q", "answer": "a"}]'
    assert _framed(ArrayFramer(), array, cut) == [(1, b'{"question": "q", "answer": "a"}')]


@pytest.mark.parametrize("body", [b"\xef", b"\xef\xbb"])
def test_bytes_that_only_begin_like_a_bom_are_kept(body: bytes) -> None:
    assert _framed(LineFramer(), body, 1) == [(1, body)]
    with pytest.raises(InvalidInput, match="must be a JSON array"):
        _framed(ArrayFramer(), body, 1)
