"""What metrics and the cache layers cost the hot estimate path, as same-run throughput ratios.

Run: ``python -m loadtests.ops_bench [--seconds 3] [--rounds 6]``. It starts its own servers in
the production configuration (``python -m service``: uvicorn, 2 workers, uvloop, httptools), one
per configuration, plus a redis-server of its own, and drives them with wrk (1 thread, 64
connections). Each ratio's two sides run back to back, in alternating order from round to round,
so that load from elsewhere on a shared machine hits both alike; the medians over rounds are
reported, with every round's ratio. Beside throughput, the server's CPU time per request (its
processes' user + system time over the requests wrk completed) is reported: it is less
sensitive to a busy machine than requests per second, and so is ``in_process`` (the app called as
an ASGI app, ``loadtests.asgi_cost``). The last line printed is one JSON object.

Configurations: ``default`` (metrics on, in-process cache on), ``metrics_off``, ``cache_off``
(no cache layer at all) and ``redis`` (the usage estimate forced through Redis).
Bodies: ``repeat`` cycles through 100 distinct usage requests (after the first round trip of each,
every answer is a local hit); ``unique`` makes every request new (every lookup misses).
"""

from __future__ import annotations

import argparse
import asyncio
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

from loadtests.asgi_cost import measure as measure_in_process
from loadtests.asgi_cost import with_ratios
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
    """Run wrk once: requests completed, requests per second and p99 latency in ms.

    Raises:
        RuntimeError: wrk failed, or some responses were not 2xx (a lost request is a failure).
    """
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests:\n{output}")
    done = re.search(r"(\d+) requests in", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", output)
    if done is None or rate is None or p99 is None:
        raise RuntimeError(f"cannot read wrk's output:\n{output}")
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return {
        "requests": float(done.group(1)),
        "rps": float(rate.group(1)),
        "p99_ms": float(p99.group(1)) * scale,
    }


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children (the server and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        own = int(stat.parent.name) == pid
        if own or int(fields[1]) == pid:  # fields[1] is the parent pid
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


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


#: Each ratio: (configuration, target) over (configuration, target); target is "healthz" or a
#: body mode of the estimate route. Both sides run back to back, their order alternating.
RATIOS = {
    "estimate_over_healthz": (("default", "repeat"), ("default", "healthz")),
    "metrics_on_over_off": (("default", "repeat"), ("metrics_off", "repeat")),
    "cache_on_over_off_all_hits": (("default", "repeat"), ("cache_off", "repeat")),
    "cache_on_over_off_all_misses": (("default", "unique"), ("cache_off", "unique")),
    "redis_over_local_all_misses": (("redis", "unique"), ("default", "unique")),
}


def measure(
    service: Service, target: str, scripts: dict[str, Path], seconds: int, connections: int
) -> dict[str, float]:
    """One wrk run against a server, with the server's CPU time per request in µs."""
    cpu_before = tree_cpu_seconds(service.process.pid)
    if target == "healthz":
        result = wrk(service.base_url + "/healthz", seconds, connections)
    else:
        result = wrk(service.base_url + ESTIMATE_PATH, seconds, connections, scripts[target])
    cpu_seconds = tree_cpu_seconds(service.process.pid) - cpu_before
    return {**result, "cpu_us_per_request": cpu_seconds / result["requests"] * 1e6}


def run_rounds(
    services: dict[str, Service],
    scripts: dict[str, Path],
    rounds: int,
    seconds: int,
    connections: int,
) -> Iterator[dict[str, tuple[dict[str, float], dict[str, float]]]]:
    """Per round and ratio, the two sides measured back to back (order alternating by round)."""
    for index in range(rounds):
        pairs = {}
        for ratio, sides in RATIOS.items():
            order = sides if index % 2 == 0 else sides[::-1]
            results = {
                side: measure(services[side[0]], side[1], scripts, seconds, connections)
                for side in order
            }
            pairs[ratio] = (results[sides[0]], results[sides[1]])
        yield pairs


def summarize(
    per_round: list[dict[str, tuple[dict[str, float], dict[str, float]]]],
) -> dict[str, Any]:
    """Medians over rounds: throughput ratios, server CPU per request, p99 latency."""
    summary: dict[str, Any] = {"ratios": {}, "ratio_rounds": {}, "sides": {}}
    for ratio, (top, bottom) in RATIOS.items():
        values = [pair[ratio][0]["rps"] / pair[ratio][1]["rps"] for pair in per_round]
        summary["ratios"][ratio] = round(statistics.median(values), 3)
        summary["ratio_rounds"][ratio] = [round(value, 3) for value in values]
        for position, side in enumerate((top, bottom)):
            runs = [pair[ratio][position] for pair in per_round]
            summary["sides"][f"{ratio}.{'top' if position == 0 else 'bottom'}"] = {
                "configuration": side[0],
                "target": side[1],
                "rps": round(statistics.median(run["rps"] for run in runs)),
                "p99_ms": round(statistics.median(run["p99_ms"] for run in runs), 2),
                "cpu_us_per_request": round(
                    statistics.median(run["cpu_us_per_request"] for run in runs), 1
                ),
            }
    return summary


def main() -> None:
    """Start everything, measure, print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3, help="length of one wrk run")
    parser.add_argument("--rounds", type=int, default=6, help="rounds of every ratio")
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
    # The same costs without server, network or load generator: steadier on a busy machine.
    summary["in_process"] = with_ratios(asyncio.run(measure_in_process(args.rounds)))
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
