"""Token counting with OpenAI's real vocabularies, offline (the ``bpe-openai`` package).

``bpe-openai`` ships tiktoken's ``cl100k_base`` and ``o200k_base`` vocabularies inside the wheel,
so counting works without network access (tiktoken downloads them at run time) and gives the
same token ids as tiktoken. The package is imported on first use only: importing it loads its
vocabularies (about a second and 65 MB), which a process that never counts tokens should not pay.
"""

from __future__ import annotations

import functools
from typing import Literal

EncodingName = Literal["o200k_base", "cl100k_base"]

#: The encoding used unless the model says otherwise.
DEFAULT_ENCODING: EncodingName = "o200k_base"

# tiktoken maps these base models to cl100k_base; bpe-openai's model list leaves them out.
_EXTRA_MODELS: dict[str, EncodingName] = {
    "davinci-002": "cl100k_base",
    "babbage-002": "cl100k_base",
}


class TokenCounter:
    """Counts the tokens of texts in one encoding."""

    def __init__(self, encoding: EncodingName) -> None:
        from bpe_openai import _bindings

        self.encoding = encoding
        # The compiled tokenizer counts without building the id list and without the
        # wrapper's 200,000-token guard, which would refuse the long lines a check must measure.
        self._tokenizer = _bindings.tokenizer_for_encoding(encoding)

    def count(self, text: str) -> int:
        """How many tokens ``text`` is, special-token strings counted as plain text."""
        return self._tokenizer.count(text) if text else 0


@functools.cache
def counter(encoding: EncodingName = DEFAULT_ENCODING) -> TokenCounter:
    """The counter of one encoding, built once per process (loading takes about a second)."""
    return TokenCounter(encoding)


def encoding_for_model(model_id: str | None) -> tuple[EncodingName, bool]:
    """The encoding a model uses.

    Args:
        model_id: A table model id (a fine-tuned model counts like its base), or None.

    Returns:
        The encoding and whether it is known for that model (False: the default was used).
    """
    if model_id is None:
        return DEFAULT_ENCODING, True
    base = model_id.removeprefix("ft:").split(":", 1)[0].lower()
    if base in _EXTRA_MODELS:
        return _EXTRA_MODELS[base], True
    import bpe_openai

    try:
        name = bpe_openai.encoding_name_for_model(base)
    except (KeyError, bpe_openai.UnsupportedModelError):
        return DEFAULT_ENCODING, False
    if name in ("o200k_base", "cl100k_base"):
        return name, True  # type: ignore[return-value]
    return DEFAULT_ENCODING, False
