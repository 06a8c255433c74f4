"""The domain's error vocabulary: every refusal names what was wrong and where."""

from __future__ import annotations


class PricingError(Exception):
    """Base class of every error the domain core raises on purpose."""


class TableLoadError(PricingError):
    """A table file is unusable; startup must stop.

    Attributes:
        file: The file that failed to load.
        path: Where inside the file the problem is, for example ``models[3].prices[0].input``.
        reason: What is wrong, in words a maintainer can act on.
    """

    def __init__(self, file: str, path: str, reason: str) -> None:
        self.file = file
        self.path = path
        self.reason = reason
        # A problem of the file as a whole (or of a directory) has no path inside it.
        super().__init__(f"{file}: {path}: {reason}" if path else f"{file}: {reason}")


class InvalidInput(PricingError):
    """A request is well-formed but breaks a rule of the domain (HTTP 422).

    Attributes:
        path: The JSON path of the offending field, for example ``$.usage.cache_read_tokens``.
        reason: What is wrong with it.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class NotFound(PricingError):
    """An id does not resolve in the table (HTTP 404).

    Attributes:
        kind: What was looked up: ``model``, ``gpu``, ``architecture``, ``pricing version`` ...
        requested: The id as it was asked for.
        suggestions: The closest known ids, best first.
        path: The JSON path of the field that carried the id, when it came from a body.
        note: Why it is not found, when more is known (an id of another kind).
    """

    def __init__(
        self,
        kind: str,
        requested: str,
        suggestions: list[str],
        path: str | None = None,
        note: str | None = None,
    ) -> None:
        self.kind = kind
        self.requested = requested
        self.suggestions = suggestions
        self.path = path
        hint = f"; closest known: {', '.join(suggestions)}" if suggestions else ""
        explained = f" ({note})" if note else ""
        super().__init__(f"unknown {kind} {requested!r}{explained}{hint}")
