"""The README's workload calls are real: each runs and the answer it quotes is the answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

README = Path(__file__).resolve().parents[2] / "README.md"
CALL = re.compile(r"curl -s localhost:8000(?P<path>/v1/estimates/\w+) .*?-d '(?P<body>.*?)'", re.S)


def workload_calls() -> list[tuple[str, dict]]:
    text = README.read_text()
    section = text[text.index("## Workload estimators") :]
    section = section[: section.index("\n## ", 1)]
    return [(m["path"], json.loads(m["body"])) for m in CALL.finditer(section)]


def test_one_call_per_workload_estimator() -> None:
    paths = [path for path, _ in workload_calls()]
    assert sorted(paths) == [
        f"/v1/estimates/{k}" for k in ("agent", "inference", "prompting", "rag")
    ]


@pytest.mark.parametrize(("path", "body"), workload_calls())
def test_readme_quotes_the_monthly_answer(client: TestClient, path: str, body: dict) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    monthly = response.json()["monthly_usd"]
    assert f"`monthly_usd` {monthly}" in README.read_text()
