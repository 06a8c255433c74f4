"""The command line refuses to start on a bad table or setting, naming what is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.unit.test_table_loading import GOOD

# The loader tests' valid table with one rate 15x above the plausible band of its unit.
BAD_TABLE = GOOD.replace("input = 1.0", "input = 15000")


def run_service(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_bad_table_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "2030-01-01.toml").write_text(BAD_TABLE)
    result = run_service({"SPENDCAST_TABLES_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "2030-01-01.toml" in result.stderr
    assert "models[0].prices[0].input" in result.stderr
    assert "plausible maximum" in result.stderr


def test_bad_setting_stops_the_start() -> None:
    result = run_service({"SPENDCAST_PORT": "eighty"})
    assert result.returncode == 2
    assert "SPENDCAST_PORT" in result.stderr


def test_unknown_setting_stops_the_start() -> None:
    result = run_service({"SPENDCAST_PROT": "8000"})
    assert result.returncode == 2
    assert "SPENDCAST_PROT" in result.stderr


def test_openapi_command_prints_the_document() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "service", "openapi"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.startswith("components:")
    assert "estimateUsageCost" in result.stdout
