"""Run inside the generated client's own venv: call operations, print what came back.

Reads ``{"base_url": ..., "calls": [{"operation", "request_model", "body"}]}`` from stdin and
prints one JSON object per call: the status, the class the client parsed the body into, the
parsed object as a dict, and the raw body text (for exact Decimal checks by the caller).
Imports only the generated package and the standard library.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

from spendcast_client import Client, models


def call(client: Client, tag: str, operation: str, request_model: str, body: Any) -> dict:
    """Call one operation through the generated module and describe the response."""
    module = importlib.import_module(f"spendcast_client.api.{tag}.{operation}")
    request = getattr(models, request_model).from_dict(body)
    response = module.sync_detailed(client=client, body=request)
    parsed = response.parsed
    return {
        "status": int(response.status_code),
        "parsed_type": type(parsed).__name__,
        "parsed": parsed.to_dict() if parsed is not None else None,
        "raw": response.content.decode(),
    }


def main() -> None:
    """Read the calls, make them, print the results as a JSON list."""
    job = json.load(sys.stdin)
    client = Client(base_url=job["base_url"], raise_on_unexpected_status=True, timeout=30)
    results = [
        call(client, item["tag"], item["operation"], item["request_model"], item["body"])
        for item in job["calls"]
    ]
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
