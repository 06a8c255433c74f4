"""A 10-second locust run of the weighted mix against the real server: zero failures (DESIGN §7)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from loadtests.payloads import MIX_WEIGHTS, operations
from loadtests.processes import Service

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "loadtests" / "locustfile.py"
USERS = 4
# 4 users × 20 req/s = 80 req/s: far below locust's ceiling (≈2,500 req/s on two cores), so
# the figures describe the server, and light enough for a shared CI box.
USER_RPS = 20
RUN_SECONDS = 10


@pytest.mark.slow
def test_locust_smoke_run_has_no_failure(live_server: Service, tmp_path: Path) -> None:
    summary_path = tmp_path / "summary.json"
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(LOCUSTFILE),
        "--host",
        live_server.base_url,
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(USERS),
        "--run-time",
        f"{RUN_SECONDS}s",
        "--user-rps",
        str(USER_RPS),
        "--max-fail-ratio",
        "0",
        # Generous: other jobs share the cores; the bench measures latency, this measures errors.
        "--max-p99-ms",
        "1000",
        "--summary-json",
        str(summary_path),
        "--only-summary",
    ]

    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )

    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-10_000:]
    summary = json.loads(summary_path.read_text())
    assert summary["failures"] == 0, summary["errors"]
    # Every operation of the mix that the contract holds has a fitting pool and was sent.
    assert summary["excluded"] == {}
    in_mix = set(MIX_WEIGHTS) & set(operations())
    sent = {name for name, figures in summary["operations"].items() if figures["requests"]}
    assert in_mix <= sent, in_mix - sent
    assert summary["requests"] >= USERS * USER_RPS * RUN_SECONDS // 4
