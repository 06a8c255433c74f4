"""POST /v1/chunks/validate over HTTP."""

from __future__ import annotations

from litestar.testing import TestClient


def test_report_over_http(client: TestClient) -> None:
    chunks = [f"chunk number {index:04d} ".ljust(60, ".") for index in range(120)]
    chunks[11] = "z" * 1200
    chunks[100] = chunks[40]
    response = client.post("/v1/chunks/validate", json={"chunks": chunks})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ready"] is False
    assert body["oversized"] == {"count": 1, "indexes": [11]}
    assert body["duplicate_prefixes"] == {
        "count": 1,
        "chunks": [{"index": 100, "duplicate_of": 40}],
    }


def test_not_a_list_of_strings_is_422(client: TestClient) -> None:
    response = client.post("/v1/chunks/validate", json={"chunks": [1, 2]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.chunks[0]"


def test_no_chunks_have_no_character_statistics(client: TestClient) -> None:
    # Reported: [] said min, mean and max 0 characters; there is no data, so null.
    body = client.post("/v1/chunks/validate", json={"chunks": []}).json()
    assert body["characters"] == {"min": None, "mean": None, "max": None, "total": 0}
    assert (body["chunk_count"], body["enough_chunks"], body["ready"]) == (0, False, False)
