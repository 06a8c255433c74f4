"""Pieces the readiness checks share: capped lists of offending positions."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import Meta

#: A report lists at most this many positions per problem; `count` has them all.
MAX_LISTED = 100


class Capped:
    """Counts every item and keeps the first :data:`MAX_LISTED` of them."""

    def __init__(self) -> None:
        self.count = 0
        self.items: list = []

    def add(self, item: object) -> None:
        """Count an item; keep it while fewer than the cap are kept."""
        self.count += 1
        if len(self.items) < MAX_LISTED:
            self.items.append(item)

    def __bool__(self) -> bool:
        return self.count > 0


class Stats(msgspec.Struct, kw_only=True):
    """Smallest, mean, largest and total of a measure over all items."""

    min: Annotated[int | None, Meta(description="Smallest value; null when there are no items.")]
    mean: Annotated[
        float | None, Meta(description="Mean value, rounded to 2 places; null when empty.")
    ]
    max: Annotated[int | None, Meta(description="Largest value; null when there are no items.")]
    total: Annotated[int, Meta(description="Sum over all items (0 when there are none).")]


class RunningStats:
    """Min, max and total of a stream of integers, without keeping them."""

    def __init__(self) -> None:
        self.count = 0
        self.total = 0
        self.min: int | None = None
        self.max: int | None = None

    def add(self, value: int) -> None:
        """Take one value into account."""
        self.count += 1
        self.total += value
        self.min = value if self.min is None else min(self.min, value)
        self.max = value if self.max is None else max(self.max, value)

    def result(self) -> Stats:
        """The statistics so far: no data (null), not zeros, when nothing was measured."""
        mean = round(self.total / self.count, 2) if self.count else None
        return Stats(min=self.min, mean=mean, max=self.max, total=self.total)
