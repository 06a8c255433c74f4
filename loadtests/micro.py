"""Micro-benchmarks in one process: the usage primitive against its peers, and how cost grows.

Run ``python -m loadtests.micro``. It prints one JSON line with:

- microseconds per call of the usage-pricing function (DESIGN §4.1: a model id and a usage to a
  Decimal total, resolution included, HTTP excluded: ``resolve_model`` + ``price_usage``),
  of genai-prices' ``calc_price`` and of tokencost on the identical usage (gpt-4o-mini, 1,200
  input and 300 output tokens, all three must answer 0.00036), and the ratios;
- microseconds per call of the inference, prompting, RAG and agent estimators, when registered;
- time per item of a batch of 1, 10, 100 and 1,000 usage items, when the batch estimator exists;
- seconds and peak RSS of validating 10k, 100k and 1M JSONL lines, when the validator exists
  (each size in a fresh child interpreter, so each peak is its own).

Timings are the best of several repeats (the least disturbed by other work on the machine);
the three usage pricers are measured in alternation so that drift hits them alike.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import os
import resource
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import msgspec

from loadtests.payloads import BODY_BUILDERS, Pools
from pricing.catalog import Catalog, PricingTable
from pricing.estimators.registry import ESTIMATORS
from pricing.loader import load_catalog
from pricing.usage import Usage, price_usage

MODEL = "gpt-4o-mini"
INPUT_TOKENS, OUTPUT_TOKENS = 1200, 300
# gpt-4o-mini at $0.15 / $0.60 per 1M tokens (pricing-anchors; the README's example).
EXPECTED_TOTAL = Decimal("0.00036")
ESTIMATOR_OPERATIONS = {
    "inference": "estimateInference",
    "prompting": "estimatePrompting",
    "rag": "estimateRag",
    "agent": "estimateAgent",
}
BATCH_SIZES = (1, 10, 100, 1000)
DATASET_LINES = (10_000, 100_000, 1_000_000)


def microseconds(
    call: Callable[[], object], budget_seconds: float = 0.3, repeats: int = 7
) -> float:
    """Best time of one call in µs, over ``repeats`` runs of about ``budget_seconds`` each."""
    calls = _calls_for(call, budget_seconds)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - started) / calls)
    return round(best * 1e6, 3)


def interleaved(*calls: Callable[[], object], rounds: int = 9) -> list[float]:
    """Best µs per call of each, measured in alternation so that drift hits all alike."""
    counts = [_calls_for(call, 0.15) for call in calls]
    best = [float("inf")] * len(calls)
    for _ in range(rounds):
        for index, (call, count) in enumerate(zip(calls, counts, strict=True)):
            started = time.perf_counter()
            for _ in range(count):
                call()
            best[index] = min(best[index], (time.perf_counter() - started) / count)
    return [round(seconds * 1e6, 3) for seconds in best]


def _calls_for(call: Callable[[], object], budget_seconds: float) -> int:
    started = time.perf_counter()
    call()
    once = max(time.perf_counter() - started, 1e-7)
    return max(1, min(1_000_000, int(budget_seconds / once)))


def usage_pricing(table: PricingTable) -> dict[str, Any]:
    """The primitive against genai-prices and tokencost on the identical usage."""
    import tokencost
    from genai_prices import Usage as PeerUsage
    from genai_prices import calc_price

    usage = Usage(input_tokens=INPUT_TOKENS, output_tokens=OUTPUT_TOKENS)
    peer_usage = PeerUsage(input_tokens=INPUT_TOKENS, output_tokens=OUTPUT_TOKENS)

    def ours() -> Decimal:
        model, _ = table.resolve_model(MODEL)
        return price_usage(model, usage).total_usd

    def genai_prices() -> Decimal:
        return calc_price(peer_usage, MODEL, provider_id="openai").total_price

    def tokencost_pair() -> Decimal:
        return tokencost.calculate_cost_by_tokens(
            INPUT_TOKENS, MODEL, "input"
        ) + tokencost.calculate_cost_by_tokens(OUTPUT_TOKENS, MODEL, "output")

    totals = {"ours": ours(), "genai_prices": genai_prices(), "tokencost": tokencost_pair()}
    if any(total != EXPECTED_TOTAL for total in totals.values()):
        raise SystemExit(f"the three do not price the same usage alike: {totals}")

    ours_us, genai_us, tokencost_us = interleaved(ours, genai_prices, tokencost_pair)
    return {
        "usage_pricing_us": ours_us,
        "genai_prices_calc_price_us": genai_us,
        "tokencost_us": tokencost_us,
        "speedup_vs_genai_prices": round(genai_us / ours_us, 1),
        "ratio_to_tokencost": round(ours_us / tokencost_us, 2),
    }


def estimators(catalog: Catalog, pools: Pools) -> dict[str, Any]:
    """µs per call of each workload estimator in the registry, on realistic requests."""
    timings: dict[str, Any] = {}
    for kind, operation_id in ESTIMATOR_OPERATIONS.items():
        estimator = ESTIMATORS.get(kind)
        if estimator is None:
            timings[f"{kind}_us"] = None
            continue
        bodies = BODY_BUILDERS[operation_id](pools, 50)
        requests = [msgspec.convert(body, estimator.request_type) for body in bodies]
        cycle = _cycler(requests)
        timings[f"{kind}_us"] = microseconds(lambda e=estimator, c=cycle: e.compute(catalog, c()))
    return timings


def _cycler(items: list[Any]) -> Callable[[], Any]:
    state = {"next": 0}

    def take() -> Any:
        state["next"] = (state["next"] + 1) % len(items)
        return items[state["next"]]

    return take


def batch_scaling(catalog: Catalog, pools: Pools) -> dict[str, Any]:
    """Time per item of a batch of usage items, by batch size."""
    if importlib.util.find_spec("pricing.estimators.batch") is None:
        return {"batch_us_per_item": None, "batch_note": "no batch estimator on this build"}
    from pricing.estimators import batch

    bodies = [priced.body for priced in pools.usage_bodies(max(BATCH_SIZES))]
    requests = [
        batch.BatchRequest(
            items=[
                batch.BatchItem(tag=f"item-{i}", kind="usage", request=body)
                for i, body in enumerate(bodies[:size])
            ]
        )
        for size in BATCH_SIZES
    ]
    calls = [
        lambda r=request: batch.estimate_batch(catalog, r, max(BATCH_SIZES)) for request in requests
    ]
    # Sizes in alternation: drift on a shared machine hits them alike.
    timings = interleaved(*calls)
    per_item = {
        str(size): round(elapsed_us / size, 3)
        for size, elapsed_us in zip(BATCH_SIZES, timings, strict=True)
    }
    flatness = per_item["1000"] / per_item["10"]
    return {"batch_us_per_item": per_item, "batch_1000_over_10": round(flatness, 2)}


def dataset_lines(count: int) -> Iterator[bytes]:
    """``count`` classification examples as JSONL chunks: distinct texts, a held-out tenth."""
    labels = ("billing", "shipping", "refund", "account")
    chunk: list[bytes] = []
    for line in range(count):
        example = {
            "input": f"customer message {line}: where is my order {line * 7919 % 100_003}?",
            "label": labels[line % len(labels)],
        }
        if line % 10 == 0:
            example["split"] = "validation"
        chunk.append(msgspec.json.encode(example))
        if len(chunk) == 1000:
            yield b"\n".join(chunk) + b"\n"
            chunk = []
    if chunk:
        yield b"\n".join(chunk) + b"\n"


def _validate_in_child(count: int, results: Any) -> None:
    from pricing.datasets import DatasetValidator
    from pricing.framing import LineFramer
    from pricing.knowledge import shipped_library
    from pricing.tokens import counter, encoding_for_model

    table = load_catalog().latest
    reference = shipped_library().for_table(table)
    encoding, _ = encoding_for_model(None)
    tokens = counter(encoding)
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    validator = DatasetValidator(reference.requirement("classification"), tokens, "jsonl")
    framer = LineFramer()
    for chunk in dataset_lines(count):
        for record in framer.feed(chunk):
            validator.add(record)
    for record in framer.close():
        validator.add(record)
    report = validator.report(framer.blank_lines, reference.version, table.version)
    seconds = time.perf_counter() - started

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.put(
        {
            "seconds": round(seconds, 2),
            "peak_rss_mb": round(peak_mb),
            "rss_before_mb": round(baseline_mb),
            "lines_reported": report.lines if hasattr(report, "lines") else None,
        }
    )


def dataset_validation() -> dict[str, Any]:
    """Seconds and peak RSS of validating 10k, 100k and 1M lines, each in its own process."""
    if importlib.util.find_spec("pricing.datasets") is None:
        return {"dataset_validation": None, "dataset_note": "no dataset validator on this build"}
    # A fresh interpreter per size: its peak is the validator's, not this process's imports.
    context = multiprocessing.get_context("spawn")
    figures: dict[str, Any] = {}
    for count in DATASET_LINES:
        results = context.Queue()
        child = context.Process(target=_validate_in_child, args=(count, results))
        child.start()
        child.join()
        figures[str(count)] = (
            results.get(timeout=5)
            if child.exitcode == 0
            else {"error": f"exit code {child.exitcode}"}
        )
    return {"dataset_validation": figures}


def main(argv: list[str] | None = None) -> int:
    """Run every measurement and print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m loadtests.micro", description=__doc__)
    parser.add_argument("--skip-datasets", action="store_true", help="Leave out the 1M lines.")
    args = parser.parse_args(argv)

    catalog = load_catalog()
    pools = Pools(catalog.latest)
    result: dict[str, Any] = {}
    result.update(usage_pricing(catalog.latest))
    result.update(estimators(catalog, pools))
    result.update(batch_scaling(catalog, pools))
    if not args.skip_datasets:
        result.update(dataset_validation())
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
