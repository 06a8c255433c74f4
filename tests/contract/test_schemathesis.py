"""schemathesis against the real server, from openapi.yaml: every operation, valid and invalid.

DESIGN §7: no server error, no undocumented status code or content type, no response that breaks
its schema, no invalid input accepted, and no valid input refused by the decoder. The run covers
whatever operations openapi.yaml holds, so routes added later are fuzzed without edits here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from loadtests.processes import Service

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
CONFIG = Path(__file__).with_name("schemathesis.toml")
HOOKS = "tests.contract.schemathesis_hooks"

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "schema_valid_request_is_decoded",
)

EXAMPLES_PER_OPERATION = 100
# A fixed seed makes a failure reproducible with the same command line.
SEED = 20261203
TIMEOUT_SECONDS = 600
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def schemathesis_command(base_url: str) -> list[str]:
    """The st command line: examples, coverage and fuzzing phases, one worker, fixed seed."""
    return [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "--no-color",
        "run",
        str(SPEC),
        "--url",
        base_url,
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--mode",
        "all",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--seed",
        str(SEED),
        # One worker: hypothesis parses lambda sources with `ast`, which is not thread-safe on
        # Python 3.11 ("AST constructor recursion depth mismatch").
        "--workers",
        "1",
        "--generation-database",
        "none",
        # Fields named *token* would be masked in the report; they are not secrets here.
        "--output-sanitize",
        "false",
        "--request-timeout",
        "10",
    ]


def operation_count() -> int:
    """How many operations openapi.yaml declares."""
    paths = yaml.safe_load(SPEC.read_text())["paths"]
    return sum(method in HTTP_METHODS for methods in paths.values() for method in methods)


@pytest.mark.slow
def test_schemathesis_finds_no_failure(live_server: Service, tmp_path: Path) -> None:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "SCHEMATHESIS_HOOKS": HOOKS}
    result = subprocess.run(
        schemathesis_command(live_server.base_url),
        cwd=tmp_path,  # schemathesis keeps its crash cache in the working directory
        env=environ,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )

    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-20_000:]
    assert f"Tested: {operation_count()}" in report, report[-5_000:]
