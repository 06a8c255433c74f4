"""The dataset readiness checks of DESIGN §5, example by example, nothing kept."""

from __future__ import annotations

import json
import tracemalloc
from decimal import Decimal

from pricing import flags
from pricing.catalog import Catalog
from pricing.datasets import DatasetReport, DatasetValidator, attach_training_estimate
from pricing.framing import LineFramer
from pricing.knowledge import shipped_library
from pricing.tokens import counter

REFERENCE = shipped_library().get("2026-03-30")


def check(task_type: str, lines: list[str]) -> DatasetReport:
    validator = DatasetValidator(REFERENCE.requirement(task_type), counter(), "jsonl")  # type: ignore[arg-type]
    framer = LineFramer()
    for record in framer.feed("\n".join(lines).encode()):
        validator.add(record)
    for record in framer.close():
        validator.add(record)
    return validator.report(framer.blank_lines, REFERENCE.version)


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
    report = validator.report(0, REFERENCE.version)
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
    assert ("tokens_per_example", "800") in [(a.name, a.value) for a in report.assumptions]


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
    validator = DatasetValidator(REFERENCE.requirement(task_type), counter(), "jsonl")  # type: ignore[arg-type]
    framer = LineFramer()
    for record in [*framer.feed("\n".join(lines).encode()), *framer.close()]:
        validator.add(record)
    report = validator.report(0, REFERENCE.version)
    attach_training_estimate(report, validator, catalog, version, model)
    return validator, report
