"""The README's calls of the article's decision logic run, and quote their real answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from litestar.testing import TestClient

README = Path(__file__).resolve().parents[2] / "README.md"
CALL = re.compile(r"curl -s localhost:8000(?P<path>/v1/[\w/]+) .*?-d '(?P<body>.*?)'", re.S)


def section() -> str:
    text = README.read_text()
    part = text[text.index("## The article's decision logic") :]
    return part[: part.index("\n## ", 1)]


def calls() -> list[tuple[str, dict]]:
    return [(m["path"], json.loads(m["body"])) for m in CALL.finditer(section())]


def test_every_post_route_has_a_call() -> None:
    assert sorted(path for path, _ in calls()) == [
        "/v1/chunks/validate",
        "/v1/estimates/batch",
        "/v1/estimates/compare",
        "/v1/recommendations",
    ]


@pytest.mark.parametrize(("path", "body"), calls())
def test_calls_answer(client: TestClient, path: str, body: dict) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text


def test_quoted_break_even_is_current(client: TestClient) -> None:
    body = dict(calls())["/v1/estimates/compare"]
    even = client.post("/v1/estimates/compare", json=body).json()["break_even"]
    assert f'"requests":{even["requests"]}' in section()
    assert f'"whole_requests":{even["whole_requests"]}' in section()
