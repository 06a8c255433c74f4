"""What metrics and the cache layers cost the hot estimate path, as same-run throughput ratios.

Run: ``python -m loadtests.ops_bench [--seconds 5] [--rounds 3]``. It starts its own servers in
the production configuration (``python -m service``: uvicorn, 2 workers, uvloop, httptools), one
per configuration, plus a redis-server of its own, then runs wrk (1 thread, 64 connections)
against them in interleaved rounds, so that drift on a shared machine hits every configuration
alike. Only ratios measured in one run mean anything; the last line printed is one JSON object.

Configurations: ``default`` (metrics on, in-process cache on), ``metrics_off``, ``cache_off``
(no cache layer at all) and ``redis`` (the usage estimate forced through Redis).
Bodies: ``repeat`` cycles through 100 distinct usage requests (after the first round trip of each,
every answer is a local hit); ``unique`` makes every request new (every lookup misses).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from loadtests.cache_policy import SAMPLES
from loadtests.processes import Service, redis_server, running_service

ESTIMATE_PATH = "/v1/estimates/usage"
SENTINEL = 987654321
WORKERS = "2"

_LUA = """
local prefix = {prefix}
local suffix = {suffix}
local unique = {unique}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local tokens = unique and (1000 + n) or (1000 + n % 100)
  return wrk.format(nil, nil, nil, prefix .. tokens .. suffix)
end
"""


def lua_string(text: str) -> str:
    """A Lua long-bracket string literal holding ``text``."""
    return "[==[" + text + "]==]"


def hot_body(service: Service) -> dict[str, Any]:
    """The first usage sample the running service prices (the tables shipped decide)."""
    for body in SAMPLES["usage"]:
        request = urllib.request.Request(
            service.base_url + ESTIMATE_PATH,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return body
        except OSError:
            continue
    raise RuntimeError("no usage sample of loadtests/cache_policy.py prices on these tables")


def write_scripts(body: dict[str, Any], directory: Path) -> dict[str, Path]:
    """Wrk scripts posting ``body`` with a varying input_tokens: ``repeat`` and ``unique``."""
    varied = json.loads(json.dumps(body))
    varied["usage"]["input_tokens"] = SENTINEL
    prefix, suffix = json.dumps(varied, separators=(",", ":")).split(str(SENTINEL))
    scripts = {}
    for mode in ("repeat", "unique"):
        path = directory / f"{mode}.lua"
        path.write_text(
            _LUA.format(
                prefix=lua_string(prefix),
                suffix=lua_string(suffix),
                unique="true" if mode == "unique" else "false",
            )
        )
        scripts[mode] = path
    return scripts


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> dict[str, float]:
    """Run wrk once; requests per second and p99 latency in ms.

    Raises:
        RuntimeError: wrk failed, or some responses were not 2xx (a lost request is a failure).
    """
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests:\n{output}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    if rate is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return {"rps": float(rate.group(1)), "p99_ms": float(p99.group(1)) * scale}


def configurations(redis_url: str) -> dict[str, dict[str, str]]:
    """The SPENDCAST_* settings of each configuration (all: 2 workers, JSON logs)."""
    base = {"SPENDCAST_WORKERS": WORKERS, "SPENDCAST_LOG_LEVEL": "WARNING"}
    return {
        "default": base,
        "metrics_off": {**base, "SPENDCAST_METRICS_ENABLED": "false"},
        "cache_off": {**base, "SPENDCAST_LOCAL_CACHE_ENTRIES": "0"},
        "redis": {
            **base,
            "SPENDCAST_REDIS_URL": redis_url,
            "SPENDCAST_CACHE_POLICY": "usage=redis",
        },
    }


#: (name, configuration, target): target is "healthz" or a body mode of the estimate route.
MEASUREMENTS = (
    ("healthz", "default", "healthz"),
    ("estimate_repeat", "default", "repeat"),
    ("estimate_repeat_metrics_off", "metrics_off", "repeat"),
    ("estimate_repeat_cache_off", "cache_off", "repeat"),
    ("estimate_unique", "default", "unique"),
    ("estimate_unique_cache_off", "cache_off", "unique"),
    ("estimate_unique_redis", "redis", "unique"),
)

#: Each ratio: numerator and denominator measurement, taken from the same round.
RATIOS = {
    "estimate_over_healthz": ("estimate_repeat", "healthz"),
    "metrics_on_over_off": ("estimate_repeat", "estimate_repeat_metrics_off"),
    "cache_on_over_off_all_hits": ("estimate_repeat", "estimate_repeat_cache_off"),
    "cache_on_over_off_all_misses": ("estimate_unique", "estimate_unique_cache_off"),
    "redis_over_local_all_misses": ("estimate_unique_redis", "estimate_unique"),
}


def run_rounds(
    services: dict[str, Service],
    scripts: dict[str, Path],
    rounds: int,
    seconds: int,
    connections: int,
) -> Iterator[dict[str, dict[str, float]]]:
    """Every measurement once per round, in a fixed interleaved order."""
    for _ in range(rounds):
        results = {}
        for name, configuration, target in MEASUREMENTS:
            base_url = services[configuration].base_url
            if target == "healthz":
                results[name] = wrk(base_url + "/healthz", seconds, connections)
            else:
                url = base_url + ESTIMATE_PATH
                results[name] = wrk(url, seconds, connections, scripts[target])
        yield results


def summarize(per_round: list[dict[str, dict[str, float]]]) -> dict[str, Any]:
    """Medians over rounds of each measurement and of each same-round ratio."""
    ratios = {
        ratio: [r[top]["rps"] / r[bottom]["rps"] for r in per_round]
        for ratio, (top, bottom) in RATIOS.items()
    }
    return {
        "rps": {
            name: round(statistics.median(r[name]["rps"] for r in per_round))
            for name, *_ in MEASUREMENTS
        },
        "p99_ms": {
            name: round(statistics.median(r[name]["p99_ms"] for r in per_round), 2)
            for name, *_ in MEASUREMENTS
        },
        "ratios": {ratio: round(statistics.median(values), 3) for ratio, values in ratios.items()},
        "ratio_rounds": {
            ratio: [round(value, 3) for value in values] for ratio, values in ratios.items()
        },
    }


def main() -> None:
    """Start everything, measure, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds")
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")

    with ExitStack() as stack, tempfile.TemporaryDirectory() as directory:
        redis = stack.enter_context(redis_server())
        services = {
            name: stack.enter_context(running_service(settings))
            for name, settings in configurations(redis.url).items()
        }
        scripts = write_scripts(hot_body(services["default"]), Path(directory))
        for service in services.values():  # warm every worker and cache once
            wrk(service.base_url + ESTIMATE_PATH, 1, args.connections, scripts["repeat"])
        per_round = list(run_rounds(services, scripts, args.rounds, args.seconds, args.connections))

    summary = summarize(per_round)
    summary.update(
        cpus=os.cpu_count(),
        workers=int(WORKERS),
        seconds=args.seconds,
        rounds=args.rounds,
        connections=args.connections,
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
