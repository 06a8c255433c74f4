"""Benchmark the production server: throughput against its floor, paced latency, scenario runs.

Run ``python -m loadtests.bench`` (a few minutes). It starts the server itself as it runs in
production (``python -m service``: uvicorn with uvloop and httptools, SPENDCAST_WORKERS=2) on a
free loopback port, and in one run measures:

1. throughput with wrk (one thread, 64 connections) against ``/healthz`` (the framework's floor)
   and against estimateUsageCost with a pool of 100 requests (a dashboard refreshing) and of
   100,000 generated requests (no in-process cache can help: the estimators themselves), in
   interleaved rounds, each figure the median of its rounds, as ratios of ``/healthz``;
2. latency of estimateUsageCost over the 100,000 pool at a paced rate (default 2,000 req/s; wrk
   has no pacing, so ``loadtests/wrk/paced.lua`` schedules every request on a fixed timetable);
3. the locust scenario (``loadtests/locustfile.py``, the weighted mix, every answer checked) at
   a paced rate under locust's own ceiling, then the same against a second server whose
   SPENDCAST_REDIS_URL points at a redis-server of its own, killed halfway.

It prints one JSON line. Loopback only; nothing is left running.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from loadtests.payloads import Pools, encode
from loadtests.processes import Service, redis_available, running_service, start_redis, stop

HERE = Path(__file__).resolve().parent
WRK_DIR = HERE / "wrk"
LOCUSTFILE = HERE / "locustfile.py"
USAGE_PATH = "/v1/estimates/usage"
PRODUCTION = {"SPENDCAST_WORKERS": "2", "SPENDCAST_LOG_LEVEL": "WARNING"}
SMALL_POOL, LARGE_POOL = 100, 100_000
# Locust saturates near 2,500 req/s on two cores; scenario runs stay well below.
LOCUST_CEILING_RPS = 2_500


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m loadtests.bench", description=__doc__)
    parser.add_argument("--seconds", type=int, default=6, help="Length of each wrk run.")
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds; figures are medians.")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections.")
    parser.add_argument("--paced-rps", type=int, default=2000, help="Rate of the latency run.")
    parser.add_argument("--paced-seconds", type=int, default=15, help="Length of the latency run.")
    parser.add_argument("--scenario-rps", type=int, default=600, help="Rate of the locust mix.")
    parser.add_argument("--scenario-users", type=int, default=12, help="Locust users.")
    parser.add_argument("--scenario-seconds", type=int, default=20, help="Each locust run.")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "/usr/bin/wrk", help="wrk path.")
    args = parser.parse_args(argv)
    if args.rounds < 1 or args.seconds < 1:
        parser.error("--rounds and --seconds must be at least 1")
    if args.scenario_rps >= LOCUST_CEILING_RPS:
        parser.error(f"--scenario-rps must stay below locust's ceiling ({LOCUST_CEILING_RPS})")
    return args


def write_pool(path: Path, count: int, seed: int) -> Path:
    """``count`` estimateUsageCost bodies, one JSON document per line."""
    bodies = Pools(seed=seed).usage_bodies(count)
    path.write_bytes(b"\n".join(encode(priced.body) for priced in bodies) + b"\n")
    return path


def run_wrk(
    wrk: str, url: str, seconds: int, connections: int, script: str, *script_args: str
) -> dict[str, Any]:
    """One wrk run (one thread); its counts, rate and latency percentiles."""
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(WRK_DIR / script),
        url,
        "--",
        *script_args,
    ]
    environ = {**os.environ, "SPENDCAST_WRK_DIR": str(WRK_DIR)}
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, env=environ, check=False
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRK_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {result.stdout[-2000:]} {result.stderr[-2000:]}")
    figures = json.loads(line.removeprefix("WRK_JSON "))
    errors = sum(figures[key] for key in figures if key.endswith("_errors") or key == "timeouts")
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        "requests": figures["requests"],
        "errors": errors,
        "p50_ms": figures["p50_us"] / 1000,
        "p99_ms": figures["p99_us"] / 1000,
    }


def locust_command(
    base_url: str,
    users: int,
    seconds: int,
    user_rps: float,
    summary_path: Path,
    max_p99_ms: float = 1000,
) -> list[str]:
    """A headless run of loadtests/locustfile.py that fails on any failed request."""
    return [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--host",
        base_url,
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--user-rps",
        str(user_rps),
        "--max-fail-ratio",
        "0",
        "--max-p99-ms",
        str(max_p99_ms),
        "--summary-json",
        str(summary_path),
        "--only-summary",
    ]


def run_locust(
    base_url: str, args: argparse.Namespace, workdir: Path, name: str, halfway: Any = None
) -> dict[str, Any]:
    """The weighted, checked mix for ``--scenario-seconds``; ``halfway`` runs mid-way."""
    summary_path = workdir / f"{name}.json"
    command = locust_command(
        base_url,
        args.scenario_users,
        args.scenario_seconds,
        args.scenario_rps / args.scenario_users,
        summary_path,
    )
    with (workdir / f"{name}.log").open("w") as log:
        process = subprocess.Popen(command, cwd=HERE.parent, stdout=log, stderr=subprocess.STDOUT)
        if halfway is not None:
            timer = threading.Timer(args.scenario_seconds / 2, halfway)
            timer.start()
        try:
            process.wait(timeout=args.scenario_seconds + 120)
        finally:
            stop(process)
            if halfway is not None:
                timer.cancel()
    if not summary_path.exists():
        raise RuntimeError(f"locust wrote no summary; see {workdir / (name + '.log')}")
    return json.loads(summary_path.read_text())


def redis_state(service: Service) -> str:
    """What /readyz says about Redis (``disabled`` when the server has no cache layer)."""
    with urllib.request.urlopen(f"{service.base_url}/readyz", timeout=5) as response:
        return str(json.load(response).get("redis", "unknown"))


def throughput_and_latency(
    service: Service, args: argparse.Namespace, pools: dict[str, Path]
) -> dict[str, Any]:
    """The wrk runs: rounds of healthz, pool of 100 and pool of 100k, then the paced run.

    The two workers share one listening socket and the kernel does not balance connections
    between them: in some runs one worker accepts all 64 of wrk's connections and the run
    measures one core (``/healthz`` measured 11,665 req/s so, 22,498 when split 39/25). Each
    throughput figure is therefore the median of several rounds, whichever endpoint drew the
    unlucky split.
    """
    health_url, usage_url = f"{service.base_url}/healthz", f"{service.base_url}{USAGE_PATH}"
    seconds, connections = args.seconds, args.connections

    # Warm-up: connections, imports and the first requests of each worker.
    run_wrk(args.wrk, health_url, 2, connections, "pool.lua", "GET")
    run_wrk(args.wrk, usage_url, 2, connections, "pool.lua", "POST", str(pools["small"]))

    rounds: dict[str, list[dict[str, Any]]] = {"health": [], "pool100": [], "pool100k": []}
    for _ in range(args.rounds):
        rounds["health"].append(
            run_wrk(args.wrk, health_url, seconds, connections, "pool.lua", "GET")
        )
        for name, pool in (("pool100", "small"), ("pool100k", "large")):
            rounds[name].append(
                run_wrk(
                    args.wrk, usage_url, seconds, connections, "pool.lua", "POST", str(pools[pool])
                )
            )
    paced = run_wrk(
        args.wrk,
        usage_url,
        args.paced_seconds,
        32,
        "paced.lua",
        "POST",
        str(pools["large"]),
        str(args.paced_rps),
    )
    return {"rounds": rounds, "paced": paced}


def outage_run(args: argparse.Namespace, workdir: Path) -> tuple[dict[str, Any] | None, str]:
    """The locust mix against a server on its own Redis, which is killed halfway."""
    if not redis_available():
        return None, "redis-server not installed: outage run skipped"
    redis = start_redis()
    try:
        settings = {**PRODUCTION, "SPENDCAST_REDIS_URL": redis.url}
        with running_service(settings, workdir / "server-outage.log") as service:
            state = redis_state(service)
            summary = run_locust(service.base_url, args, workdir, "outage", halfway=redis.kill)
    finally:
        redis.kill()
    if state == "disabled":
        note = (
            "this build has no Redis cache layer: the server ignored SPENDCAST_REDIS_URL, so the "
            "outage run only shows that losing Redis changes nothing"
        )
    else:
        note = f"redis state before the kill: {state}; killed after {args.scenario_seconds / 2}s"
    return summary, note


def machine() -> dict[str, Any]:
    """Cores and memory of this machine (figures are only comparable on the same size)."""
    memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_bytes / 2**30, 1),
        "python": platform.python_version(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def report(runs: dict[str, Any], scenario: dict[str, Any], outage: Any, note: str) -> dict:
    """The one JSON line: the figures of the issue first, details after."""
    rounds, paced = runs["rounds"], runs["paced"]
    rps = {name: [run["rps"] for run in measured] for name, measured in rounds.items()}
    health_rps = statistics.median(rps["health"])
    pool100_rps = statistics.median(rps["pool100"])
    pool100k_rps = statistics.median(rps["pool100k"])
    figures = {
        "health_rps": round(health_rps),
        "estimate_rps_pool100": round(pool100_rps),
        "ratio_pool100": round(pool100_rps / health_rps, 3),
        "estimate_rps_pool100k": round(pool100k_rps),
        "ratio_pool100k": round(pool100k_rps / health_rps, 3),
        "paced_rps": round(paced["rps"]),
        "paced_p50_ms": round(paced["p50_ms"], 2),
        "paced_p99_ms": round(paced["p99_ms"], 2),
        "scenario_failures": scenario["failures"],
        "outage_failures": outage["failures"] if outage else None,
    }
    errors = {name: sum(run["errors"] for run in measured) for name, measured in rounds.items()}
    details = {
        "wrk_errors": {**errors, "paced": paced["errors"]},
        "rps_by_round": {name: [round(value) for value in values] for name, values in rps.items()},
        "scenario": _scenario_details(scenario),
        "outage": _scenario_details(outage) if outage else None,
        "outage_note": note,
        "machine": machine(),
    }
    return {**figures, **details}


def _scenario_details(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "requests": summary["requests"],
        "rps": round(summary["rps"]),
        "p50_ms": summary["p50_ms"],
        "p99_ms": summary["p99_ms"],
        "errors": summary["errors"],
        "excluded": summary["excluded"],
    }


def main(argv: list[str] | None = None) -> int:
    """Run everything; print one JSON line; exit 1 when a run had errors or failures."""
    args = parse_args(argv)
    if not Path(args.wrk).exists():
        print(f"wrk not found at {args.wrk} (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="spendcast-bench-") as tmp:
        workdir = Path(tmp)
        pools = {
            "small": write_pool(workdir / "pool100.jsonl", SMALL_POOL, seed=1),
            "large": write_pool(workdir / "pool100k.jsonl", LARGE_POOL, seed=2),
        }
        with running_service(PRODUCTION, workdir / "server.log") as service:
            runs = throughput_and_latency(service, args, pools)
            scenario = run_locust(service.base_url, args, workdir, "scenario")
        time.sleep(1)  # let the first server's workers exit before the second one starts
        outage, note = outage_run(args, workdir)

    result = report(runs, scenario, outage, note)
    print(json.dumps(result))
    failed = any(result["wrk_errors"].values()) or result["scenario_failures"]
    return 1 if failed or (outage and outage["failures"]) else 0


if __name__ == "__main__":
    sys.exit(main())
