"""listModels: every listed id and alias leads getModel back to the entry it was listed for.

Reported: Azure's and OpenAI's fine-tuned gpt-4.1 (and 4.1-mini, 4o-mini) were both listed as
`ft:gpt-4.1`, which getModel resolves to OpenAI's, so Azure's entry and its 1.70 USD hosting
hour could not be reached by the id shown; and fine-tuned entries were listed with no aliases,
although getModel and the diff give them (davinci-002's `davinci`).
"""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

LIST = "/v1/pricing/{version}/models"
GET = "/v1/pricing/{version}/models/{id}"


@pytest.mark.parametrize("version", ["2026-03-30", "2026-12-01", "2026-12-04"])
def test_every_listed_id_resolves_to_its_own_entry(client: TestClient, version: str) -> None:
    listed = client.get(LIST.format(version=version)).json()["models"]
    for entry in listed:
        response = client.get(GET.format(version=version, id=entry["id"]))
        assert response.status_code == 200, (entry, response.text)
        match = response.json()["match"]
        assert (match["provider"], response.json()["kind"]) == (entry["provider"], entry["kind"])
        for alias in entry["aliases"]:
            # Fine-tuned aliases are the base's, so they resolve written after `ft:`.
            asked = f"ft:{alias}" if entry["kind"] == "fine_tuned" else alias
            # An id shared by two providers is listed `provider/id`; its aliases need that too.
            if "/" in entry["id"]:
                asked = f"{entry['provider']}/{asked}"
            again = client.get(GET.format(version=version, id=asked)).json()["match"]
            assert (again["id"], again["provider"]) == (match["id"], match["provider"])
    assert len({entry["id"] for entry in listed}) == len(listed)


def test_shared_fine_tuned_ids_are_listed_with_their_provider(client: TestClient) -> None:
    listed = client.get(LIST.format(version="latest") + "?kind=fine_tuned").json()["models"]
    ids = {entry["id"]: entry["provider"] for entry in listed}
    # The table prices these three bases fine-tuned at both OpenAI and Azure.
    for base in ("gpt-4.1", "gpt-4.1-mini", "gpt-4o-mini-2024-07-18"):
        assert ids[f"openai/ft:{base}"] == "openai"
        assert ids[f"azure/ft:{base}"] == "azure"
        assert f"ft:{base}" not in ids
    assert ids["ft:davinci-002"] == "openai"
    azure = client.get(GET.format(version="latest", id="azure/ft:gpt-4.1")).json()
    assert azure["fine_tuning"]["hosting_usd_per_hour"] == 1.7


def test_fine_tuned_entries_list_their_base_aliases(client: TestClient) -> None:
    listed = client.get(LIST.format(version="latest") + "?kind=fine_tuned").json()["models"]
    aliases = {entry["id"]: entry["aliases"] for entry in listed}
    # As the 2026-12-04 table writes them for davinci-002 and gpt-3.5-turbo.
    assert aliases["ft:davinci-002"] == ["davinci"]
    assert sorted(aliases["ft:gpt-3.5-turbo"]) == [
        "gpt-3.5-turbo-0125",
        "gpt-3.5-turbo-0613",
        "gpt-3.5-turbo-1106",
    ]
