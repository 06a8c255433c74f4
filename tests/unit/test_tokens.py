"""Offline token counts are tiktoken's: known ids of both vocabularies."""

from __future__ import annotations

import bpe_openai

from pricing.tokens import counter, encoding_for_model


def test_ids_are_tiktokens() -> None:
    # tiktoken: o200k_base "hello world" -> [24912, 2375]; cl100k_base -> [15339, 1917].
    assert bpe_openai.get_encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]
    assert bpe_openai.get_encoding("cl100k_base").encode_ordinary("hello world") == [15339, 1917]
    assert counter("o200k_base").count("hello world") == 2


def test_count_matches_the_id_list_and_has_no_guard() -> None:
    text = "Fine-tuning needs data. " * 50
    assert counter().count(text) == len(bpe_openai.get_encoding("o200k_base").encode_ordinary(text))
    # The wrapper refuses more than 200,000 tokens; the counter measures them.
    assert counter().count(" a" * 250_000) == 250_000
    assert counter().count("") == 0


def test_encoding_per_model() -> None:
    assert encoding_for_model(None) == ("o200k_base", True)
    assert encoding_for_model("gpt-4.1-mini") == ("o200k_base", True)
    assert encoding_for_model("gpt-3.5-turbo") == ("cl100k_base", True)
    assert encoding_for_model("ft:gpt-3.5-turbo:acme:x:1") == ("cl100k_base", True)
    assert encoding_for_model("davinci-002") == ("cl100k_base", True)
    assert encoding_for_model("claude-sonnet-4-5") == ("o200k_base", False)
