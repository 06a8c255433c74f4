"""The traffic mix of spendcast's users, with every answer checked, against a server on loopback.

Run (the server must be up; see ``python -m loadtests.bench`` for the full benchmark)::

    locust -f loadtests/locustfile.py --host http://127.0.0.1:8000 --headless -u 8 -t 30s
    (custom options: --user-rps 25 --max-fail-ratio 0 --max-p99-ms 200 --summary-json out.json)

Weights follow real use: dashboards and budgeting tools price usages and inference volumes most,
then prompt-only, RAG and agent workloads, comparisons, and pricing reads. Only operations that
openapi.yaml holds are sent, so the file works while routes are still being added. Each user is
paced (``--user-rps``) well below locust's own ceiling (≈2,500 req/s on two cores), checks every
response body (status, pricing_version, exact totals where known) and the run's failure ratio and
p99 become the process exit code.
"""

from __future__ import annotations

import json
import logging
import math
import random
from collections.abc import Callable
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
from locust import FastHttpUser, constant_throughput, events
from locust.exception import StopUser

from loadtests.payloads import (
    BODY_BUILDERS,
    MIX_WEIGHTS,
    Operation,
    Pools,
    encode,
    operations,
    schema_mismatch,
)

_log = logging.getLogger("spendcast.locust")

WEIGHTS = MIX_WEIGHTS
POOL_SIZE = 200
JSON_HEADERS = {"content-type": "application/json"}
# Rounding each amount to 10 places at serialization lets first_year drift by up to 12 × 5e-11.
_ROUNDING_SLACK = 1e-9

Check = Callable[[Any, Any], str | None]
Request = tuple[bytes, Any]


def _decode(response: Any) -> Any:
    return msgspec.json.decode(response.content)


def _status_problem(response: Any, *allowed: int) -> str | None:
    if response.status_code in allowed:
        return None
    return f"status {response.status_code}: {(response.text or '')[:200]}"


class Scenario:
    """The pools, the checks and the tasks of one run, built once at import."""

    def __init__(self, spec_operations: dict[str, Operation], pools: Pools) -> None:
        self.ops = spec_operations
        self.pools = pools
        self.latest = pools.table.version
        self.content_hash = pools.table.content_hash
        self.excluded: dict[str, str] = {}
        self.requests: dict[str, list[Request]] = {}
        self._build_requests()

    def _build_requests(self) -> None:
        for operation_id in WEIGHTS:
            if operation_id not in self.ops:
                continue
            requests = self._requests_for(operation_id)
            if requests:
                self.requests[operation_id] = requests

    def _requests_for(self, operation_id: str) -> list[Request]:
        if operation_id == "estimateUsageCost":
            priced = self.pools.usage_bodies(POOL_SIZE)
            return [(encode(p.body), p.total_usd) for p in priced]
        if operation_id == "getModel":
            return [(b"", model.id) for model in self.pools.text_models]
        if operation_id in {"listPricingVersions", "getPricingTable"}:
            return [(b"", None)]
        builder = BODY_BUILDERS.get(operation_id)
        if builder is None:
            self.excluded[operation_id] = "no payload builder in loadtests/payloads.py"
            return []
        bodies = builder(self.pools, POOL_SIZE)
        mismatch = schema_mismatch(self.ops[operation_id], bodies)
        if mismatch:
            self.excluded[operation_id] = mismatch
            return []
        return [(encode(body), None) for body in bodies]

    def _latest_estimate(self, response: Any) -> tuple[dict[str, Any], str | None]:
        """The body of a 200 priced on the latest table, or why it is not one."""
        problem = _status_problem(response, 200)
        if problem:
            return {}, problem
        body = _decode(response)
        if body.get("pricing_version") != self.latest:
            found = body.get("pricing_version")
            return body, f"pricing_version {found!r}, expected {self.latest!r}"
        return body, None

    def check_usage(self, response: Any, expected_total: float) -> str | None:
        """200, the latest table, and exactly the total priced in advance."""
        body, problem = self._latest_estimate(response)
        if problem:
            return problem
        total = body.get("total_usd")
        if not total or total <= 0 or total != expected_total:
            return f"total_usd {total!r}, expected {expected_total!r}"
        return None

    def check_workload(self, response: Any, _: Any) -> str | None:
        """200, the latest table, a positive monthly spend and first year = one-time + 12 × it."""
        body, problem = self._latest_estimate(response)
        if problem:
            return problem
        monthly, one_time = body.get("monthly_usd", 0), body.get("one_time_usd", 0)
        if not monthly or monthly <= 0:
            return f"monthly_usd {monthly!r} is not positive"
        first_year = body.get("first_year_usd")
        if first_year is None or not math.isclose(
            first_year, one_time + 12 * monthly, rel_tol=1e-12, abs_tol=_ROUNDING_SLACK
        ):
            return f"first_year_usd {first_year!r} != {one_time!r} + 12 × {monthly!r}"
        return None

    def check_compare(self, response: Any, _: Any) -> str | None:
        """200, the latest table, and each approach's first year = one-time + 12 × monthly."""
        body, problem = self._latest_estimate(response)
        if problem:
            return problem
        approaches = body.get("approaches") or []
        if len(approaches) != 4:
            return f"{len(approaches)} approaches, expected the article's four"
        for approach in approaches:
            expected = approach["one_time_usd"] + 12 * approach["monthly_usd"]
            if not math.isclose(
                approach["first_year_usd"], expected, rel_tol=1e-12, abs_tol=_ROUNDING_SLACK
            ):
                return f"{approach['approach']}: first_year_usd {approach['first_year_usd']!r}"
        return None

    def check_model(self, response: Any, model_id: str) -> str | None:
        """200 and the model asked for."""
        problem = _status_problem(response, 200)
        if problem:
            return problem
        found = _decode(response).get("model", {}).get("id")
        return None if found == model_id else f"model {found!r}, expected {model_id!r}"

    def check_versions(self, response: Any, _: Any) -> str | None:
        """200 and `latest` resolving to the newest table."""
        problem = _status_problem(response, 200)
        if problem:
            return problem
        latest = _decode(response).get("latest")
        return None if latest == self.latest else f"latest {latest!r}, expected {self.latest!r}"

    def check_table(self, response: Any, _: Any) -> str | None:
        """200 or 304 (revalidated), with the table's content hash as ETag."""
        problem = _status_problem(response, 200, 304)
        if problem:
            return problem
        etag = response.headers.get("etag")
        return None if etag == f'"{self.content_hash}"' else f"ETag {etag!r}"


def _build_scenario() -> Scenario:
    return Scenario(operations(), Pools())


SCENARIO = _build_scenario()


def _is_loopback(host: str | None) -> bool:
    hostname = urlsplit(host or "").hostname or ""
    if hostname == "localhost":
        return True
    try:
        return ip_address(hostname).is_loopback
    except ValueError:
        return False


_CHECKS: dict[str, Check] = {
    "estimateUsageCost": SCENARIO.check_usage,
    "compareApproaches": SCENARIO.check_compare,
    "getModel": SCENARIO.check_model,
    "listPricingVersions": SCENARIO.check_versions,
    "getPricingTable": SCENARIO.check_table,
}


def _task(operation_id: str) -> Callable[[Any], None]:
    check = _CHECKS.get(operation_id, SCENARIO.check_workload)

    def run(user: Any) -> None:
        user.send(operation_id, check)

    run.__name__ = operation_id
    return run


_TASKS = {_task(operation_id): WEIGHTS[operation_id] for operation_id in SCENARIO.requests}


class SpendcastUser(FastHttpUser):
    """A budgeting tool or dashboard: paced requests from the weighted mix, each one checked."""

    tasks = _TASKS
    network_timeout = 10.0
    connection_timeout = 5.0
    # Failed requests are failures, not retried: the run must see every one of them.
    max_retries = 0

    def wait_time(self) -> float:
        """Pace each user at ``--user-rps`` requests per second."""
        return constant_throughput(self.environment.parsed_options.user_rps)(self)

    def on_start(self) -> None:
        """Probe readiness first: a server that is not ready stops the user, not the check."""
        self.rng = random.Random()
        self.etag: str | None = None
        response = self.client.get("/readyz", name="on_start /readyz")
        if response.status_code != 200 or SCENARIO.latest not in response.text:
            _log.error("service not ready: %s %s", response.status_code, response.text[:200])
            raise StopUser()

    def send(self, operation_id: str, check: Check) -> None:
        """Send one request of the operation's pool and judge its answer."""
        operation = SCENARIO.ops[operation_id]
        body, expected = self.rng.choice(SCENARIO.requests[operation_id])
        path, headers = self._target(operation, expected)
        with self.client.request(
            operation.method,
            path,
            data=body or None,
            headers=headers,
            name=operation_id,
            catch_response=True,
        ) as response:
            try:
                problem = check(response, expected)
            except (msgspec.DecodeError, AttributeError, TypeError) as exc:
                problem = f"unreadable body: {exc!r}"
            if problem:
                response.failure(problem)
            else:
                if operation_id == "getPricingTable":
                    self.etag = response.headers.get("etag")
                response.success()

    def _target(self, operation: Operation, expected: Any) -> tuple[str, dict[str, str]]:
        if operation.operation_id == "getModel":
            path = operation.path.replace("{version}", "latest").replace("{model_id}", expected)
            return path, {}
        if operation.operation_id == "getPricingTable":
            path = operation.path.replace("{version}", SCENARIO.latest)
            return path, {"if-none-match": self.etag} if self.etag else {}
        return operation.path, JSON_HEADERS if operation.method == "POST" else {}


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument("--user-rps", type=float, default=10.0, help="Requests/s per user.")
    parser.add_argument(
        "--max-fail-ratio", type=float, default=0.0, help="Largest failure ratio that passes."
    )
    parser.add_argument(
        "--max-p99-ms", type=float, default=500.0, help="Largest p99 latency (ms) that passes."
    )
    parser.add_argument("--summary-json", default="", help="Write the run's figures here.")


@events.init.add_listener
def _loopback_only(environment: Any, **_: Any) -> None:
    if not _is_loopback(environment.host):
        raise SystemExit(f"refusing to load {environment.host!r}: loopback hosts only")
    for operation_id, reason in SCENARIO.excluded.items():
        _log.warning("not sent: %s (%s)", operation_id, reason)


@events.quitting.add_listener
def _thresholds(environment: Any, **_: Any) -> None:
    options = environment.parsed_options
    total = environment.stats.total
    p99_ms = total.get_response_time_percentile(0.99) or 0.0
    problems = []
    if total.num_requests == 0:
        problems.append("no request was made")
    if total.fail_ratio > options.max_fail_ratio:
        problems.append(f"failure ratio {total.fail_ratio:.4f} > {options.max_fail_ratio}")
    if p99_ms > options.max_p99_ms:
        problems.append(f"p99 {p99_ms:.0f} ms > {options.max_p99_ms:.0f} ms")
    if options.summary_json:
        _write_summary(Path(options.summary_json), environment, p99_ms, problems)
    if problems:
        _log.error("thresholds broken: %s", "; ".join(problems))
        environment.process_exit_code = 1


def _write_summary(path: Path, environment: Any, p99_ms: float, problems: list[str]) -> None:
    stats = environment.stats
    summary = {
        "requests": stats.total.num_requests,
        "failures": stats.total.num_failures,
        "rps": stats.total.total_rps,
        "p50_ms": stats.total.get_response_time_percentile(0.5),
        "p99_ms": p99_ms,
        "operations": {
            entry.name: {"requests": entry.num_requests, "failures": entry.num_failures}
            for entry in stats.entries.values()
        },
        "errors": [f"{e.name}: {e.error}" for e in stats.errors.values()][:20],
        "excluded": SCENARIO.excluded,
        "problems": problems,
    }
    path.write_text(json.dumps(summary))
