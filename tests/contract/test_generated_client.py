"""A client generated from openapi.yaml by openapi-python-client round-trips estimates (DESIGN §7).

The client is generated into a temporary directory, installed into a temporary venv of its own
(uv, offline from its cache when it can) and driven by ``client_calls.py`` against the real
server, so it proves what a team generating a client from the committed contract gets.
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from loadtests.payloads import request_schema_name
from loadtests.processes import Service
from tests.venvs import BIN, install_into_venv, run
from tests.workloads import RAG_1

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi.yaml"
CALLS_SCRIPT = Path(__file__).with_name("client_calls.py")
GENERATOR_CONFIG = Path(__file__).with_name("openapi-python-client.yaml")


def snake_case(operation_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", operation_id).lower()


def operations() -> dict[str, dict[str, Any]]:
    """operationId -> its tag, module name and request model name, from openapi.yaml."""
    found = {}
    for methods in yaml.safe_load(SPEC.read_text())["paths"].values():
        for operation in methods.values():
            found[operation["operationId"]] = {
                "tag": operation["tags"][0],
                "operation": snake_case(operation["operationId"]),
                "request_model": request_schema_name(operation),
            }
    return found


def generate_client(workdir: Path) -> Path:
    """Generate the client package from openapi.yaml; the generator's ruff hook needs PATH."""
    output = workdir / "client"
    environ = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(SPEC),
            "--output-path",
            str(output),
            "--meta",
            "setup",
            "--config",
            str(GENERATOR_CONFIG),
        ],
        env=environ,
    )
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    # A warning means the generator dropped or guessed something in the contract.
    assert "warning" not in report.lower(), report
    return output


@pytest.fixture(name="client_python", scope="module")
def fixture_client_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("generated_client")
    return install_into_venv(generate_client(workdir), workdir)


def call(python: Path, base_url: str, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Make ``calls`` (operationId, body) through the generated client in its own venv."""
    known = operations()
    job = {
        "base_url": base_url,
        "calls": [{**known[item["operation_id"]], "body": item["body"]} for item in calls],
    }
    result = run([str(python), str(CALLS_SCRIPT)], input=json.dumps(job))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def exact(raw: str, field: str) -> Decimal:
    """A number from a raw JSON body, exactly as the server wrote it."""
    return json.loads(raw, parse_float=Decimal)[field]


@pytest.mark.slow
def test_client_prices_usage(client_python: Path, live_server: Service) -> None:
    mini = {
        "model": "gpt-4o-mini",
        "pricing_version": "2026-12-01",
        "usage": {"input_tokens": 1200, "output_tokens": 300},
    }
    # The article's table: one blended price for the fine-tuned model, $0.012 per 1k tokens.
    article = {
        "model": "ft:gpt-3.5-turbo",
        "pricing_version": "2026-03-30",
        "usage": {"input_tokens": 1200, "output_tokens": 300},
    }
    unknown = {"model": "gpt-4o-mini-typo", "usage": {"input_tokens": 1}}

    results = call(
        client_python,
        live_server.base_url,
        [{"operation_id": "estimateUsageCost", "body": body} for body in (mini, article, unknown)],
    )

    priced, blended, missing = results
    # 1,200 × $0.15/1M + 300 × $0.60/1M = 0.00036 (README example; pricing-anchors gpt-4o-mini)
    assert (priced["status"], priced["parsed_type"]) == (200, "UsageEstimate")
    assert priced["parsed"]["total_usd"] == 0.00036
    assert exact(priced["raw"], "total_usd") == Decimal("0.00036")
    assert priced["parsed"]["model"]["matched_by"] == "id"
    assert priced["parsed"]["pricing_version"] == "2026-12-01"
    # 1,500 tokens × $0.012/1k = 0.018 (article table, DESIGN §2)
    assert exact(blended["raw"], "total_usd") == Decimal("0.018")
    assert blended["parsed"]["model"]["matched_by"] == "fine_tuned"
    # Errors parse into the named Problem model, with suggestions for an unknown id.
    assert (missing["status"], missing["parsed_type"]) == (404, "Problem")
    assert "gpt-4o-mini" in missing["parsed"]["suggestions"]


@pytest.mark.slow
def test_client_estimates_rag(client_python: Path, live_server: Service) -> None:
    if "estimateRag" not in operations():
        pytest.skip("estimateRag is not in openapi.yaml yet (branch `spend` adds it)")
    # RAG-1 (DESIGN §4.4, reference/spend-models.md): 10,000 documents of 2,000 tokens, chunks
    # of 512 overlapping by 64, Pinecone Standard, 100,000 queries a month, reranking 50.
    rag = {
        **RAG_1,
        "reranker": "rerank-v3.5",
        "rerank_candidates": 50,
        "documents_preprocessed": True,
        "pricing_version": "2026-12-01",
        "at": "2026-12-01T00:00:00Z",
    }

    (result,) = call(
        client_python, live_server.base_url, [{"operation_id": "estimateRag", "body": rag}]
    )

    assert (result["status"], result["parsed_type"]) == (200, "RagEstimate"), result["raw"][:500]
    # Chunks per document ⌈(2000 − 64) / (512 − 64)⌉ = 5, embedded 2000 + 4 × 64 = 2,256 tokens.
    # One-time: 22,560,000 tokens × $0.02/1M = 0.4512; 50,000 records × (4 × 1536 + 1000) B
    # = 7.144 write units each, 357,200 × $4/1M = 1.4288.
    assert exact(result["raw"], "one_time_usd") == Decimal("1.88")
    # Monthly: store usage 0.975156 topped up to its $50 minimum; generation 100,000 ×
    # (500 + 20 + 5 × 512) = 308M input × $0.15/1M = 46.2 and 30M output × $0.60/1M = 18;
    # re-embedding 0.04512; query embedding 2M × $0.02/1M = 0.04; reranking 100,000 searches
    # × $2/1k = 200.
    assert exact(result["raw"], "monthly_usd") == Decimal("314.28512")
    assert exact(result["raw"], "first_year_usd") == Decimal("1.88") + 12 * Decimal("314.28512")
    assert result["parsed"]["pricing_version"] == "2026-12-01"
