"""Loaded pricing tables and the resolution of ids inside them."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date
from typing import Generic, Literal, Protocol, TypeVar

import msgspec

from pricing.entries import Architecture, ChatModel, FineTune, Gpu, Reranker, VectorStore
from pricing.errors import NotFound

MatchRule = Literal["id", "alias", "provider_prefix", "fine_tuned", "inline"]

T = TypeVar("T")


class _HasProvider(Protocol):
    @property
    def provider(self) -> str: ...


_Provided = TypeVar("_Provided", bound=_HasProvider)

FINE_TUNED_PREFIX = "ft:"
_SUGGESTIONS = 5

#: The version keyword that names the newest table.
LATEST = "latest"


def names_latest(version: str | None) -> bool:
    """Whether a requested version means the newest table: none, or ``latest`` in any case."""
    return version is None or version.strip().lower() == LATEST


_RESOLVED_LIMIT = 4096


class ModelMatch(msgspec.Struct, frozen=True, kw_only=True):
    """How a requested model id was resolved.

    Attributes:
        id: The table id that priced the request (``ft:<base>`` for fine-tuned models).
        requested: The id as it was asked for.
        matched_by: The rule that matched: id, alias, provider_prefix, fine_tuned or inline.
        provider: The model's provider.
    """

    id: str
    requested: str
    matched_by: MatchRule
    provider: str


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def _wrong_provider(model_id: str, provider: str, asked: str, kind: str = "model") -> str:
    """Why ``asked/<id>`` does not resolve when the table prices the id under ``provider``."""
    return (
        f"{model_id!r} is priced here as {_article(provider)} {provider} {kind}, not {asked}: "
        f"write {model_id} or {provider}/{model_id}"
    )


class Index(Generic[T]):
    """Exact-id and alias lookup over one kind of entry, case-insensitive, never fuzzy."""

    def __init__(self, kind: str, entries: Iterable[tuple[str, Iterable[str], T]]) -> None:
        self.kind = kind
        self._by_id: dict[str, T] = {}
        self._by_alias: dict[str, T] = {}
        self._spelling: dict[str, str] = {}
        for entry_id, aliases, entry in entries:
            self._by_id[entry_id.lower()] = entry
            self._spelling[entry_id.lower()] = entry_id
            for alias in aliases:
                self._by_alias[alias.lower()] = entry
                self._spelling[alias.lower()] = alias

    def names(self) -> list[str]:
        """Every id and alias (lower case), for suggestions."""
        return [*self._by_id, *self._by_alias]

    def spelled(self, names: list[str]) -> list[str]:
        """Lower-case names back in the table's own spelling."""
        return [self._spelling.get(name, name) for name in names]

    def lookup(self, requested: str) -> tuple[T, MatchRule] | None:
        """The entry for an exact id or alias, or None."""
        key = requested.lower()
        if key in self._by_id:
            return self._by_id[key], "id"
        if key in self._by_alias:
            return self._by_alias[key], "alias"
        return None

    def suggestions(self, requested: str) -> list[str]:
        """The closest known ids and aliases to ``requested``, best first."""
        close = difflib.get_close_matches(requested.lower(), self.names(), _SUGGESTIONS, 0.5)
        return self.spelled(close)

    def require(self, requested: str, path: str | None = None, note: str | None = None) -> T:
        """The entry for an id or alias (surrounding whitespace ignored).

        Raises:
            NotFound: Nothing has that id or alias; the error lists the closest ones.
        """
        found = self.lookup(requested.strip())
        if found is not None:
            return found[0]
        if not self._by_id:
            note = note or f"this table has no {self.kind} entries; try pricing_version latest"
        raise NotFound(self.kind, requested, self.suggestions(requested), path, note)


class PricingTable(msgspec.Struct, kw_only=True, dict=True):
    """One immutable, versioned table."""

    version: str
    published: date
    source: str
    description: str
    reference: str | None
    content_hash: str
    file_name: str
    providers: dict[str, str]
    models: tuple[ChatModel, ...]
    fine_tunes: tuple[FineTune, ...]
    rerankers: tuple[Reranker, ...]
    vector_stores: tuple[VectorStore, ...]
    gpus: tuple[Gpu, ...]
    architectures: tuple[Architecture, ...]

    def __post_init__(self) -> None:
        # Successful resolutions, by (id as asked, kind): the table never changes, so neither
        # do they. Bounded, since `ft:` ids carry free-form suffixes.
        self._resolved: dict[tuple[str, str | None], tuple[ChatModel, ModelMatch]] = {}
        self._models = Index("model", ((m.id, m.aliases, m) for m in self.models))
        self._fine_tunes = Index(
            "fine-tuned model", ((f.base, f.aliases, f) for f in self.fine_tunes)
        )
        self.reranker_index = Index("reranker", ((r.id, r.aliases, r) for r in self.rerankers))
        self.vector_store_index = Index(
            "vector store", ((v.id, v.aliases, v) for v in self.vector_stores)
        )
        self.gpu_index = Index("gpu", ((g.id, g.aliases, g) for g in self.gpus))
        self.architecture_index = Index(
            "architecture", ((a.id, a.aliases, a) for a in self.architectures)
        )

    def resolve_model(
        self, requested: str, path: str = "$.model", kind: str | None = None
    ) -> tuple[ChatModel, ModelMatch]:
        """Resolve a model id: exact id, alias, ``provider/`` prefix, then ``ft:`` ids.

        Args:
            requested: The id as a client wrote it.
            path: The JSON path of the field, for the error.
            kind: Require this kind (``chat`` or ``embedding``) when given.

        Returns:
            The model and how it matched.

        Raises:
            NotFound: No rule matched, or the match is of another kind.
        """
        key = (requested, kind)
        resolved = self._resolved.get(key)
        if resolved is None:
            resolved = self._resolve_model(requested, path, kind)
            if len(self._resolved) >= _RESOLVED_LIMIT:
                self._resolved.clear()
            self._resolved[key] = resolved
        return resolved

    def _resolve_model(
        self, requested: str, path: str, kind: str | None
    ) -> tuple[ChatModel, ModelMatch]:
        requested = requested.strip()
        if self._is_fine_tuned(requested):
            model, rule = self._resolve_fine_tuned(requested, path)
        else:
            model, rule = self._resolve_plain(requested, path)

        if kind is not None and model.kind != kind:
            raise NotFound(
                f"{kind} model",
                requested,
                self._kind_suggestions(kind),
                path,
                f"{model.id!r} is {_article(model.kind)} {model.kind} model; "
                f"this field needs {_article(kind)} {kind} model",
            )
        match = ModelMatch(
            id=model.id, requested=requested, matched_by=rule, provider=model.provider
        )
        return model, match

    def _is_fine_tuned(self, requested: str) -> bool:
        _, bare = self._split_provider(requested)
        return bare.lower().startswith(FINE_TUNED_PREFIX)

    def resolve_fine_tune(self, requested: str, path: str = "$.model") -> FineTune:
        """The fine-tuning entry of a base model id (``ft:`` prefix optional).

        Both ``azure/ft:<base>`` and ``ft:azure/<base>`` pick a provider's entry; without one,
        the base model's own provider is preferred.

        Raises:
            NotFound: The base does not resolve or has no fine-tuning entry.
        """
        outer_provider, base = self._split_provider(requested.strip())
        prefixed = base.lower().startswith(FINE_TUNED_PREFIX)
        if prefixed:
            base = base[len(FINE_TUNED_PREFIX) :]
        # ft:<base>:<org>:<name>:<id>: only the base names the price.
        inner_provider, bare = self._split_provider(base.split(":", 1)[0])
        provider = outer_provider or inner_provider
        wanted = {bare.lower(), self._canonical_base(bare)}
        same_base = [
            ft
            for ft in self.fine_tunes
            if wanted & {ft.base.lower(), *(alias.lower() for alias in ft.aliases)}
        ]
        candidates = [ft for ft in same_base if provider is None or ft.provider == provider]
        if not candidates:
            note = None
            if same_base:
                offered = " and ".join(sorted({ft.provider for ft in same_base}))
                note = (
                    f"fine-tuning of {same_base[0].base!r} is priced here for {offered}, "
                    f"not {provider}"
                )
            # Suggest ids that can be sent back as they are, in the form asked: an `ft:` id
            # gets `ft:<base>`, never the bare base, which a model field prices as the base
            # model (or, on a fine-tuning-only table, does not find).
            prefix = FINE_TUNED_PREFIX if prefixed else ""
            suggestions = [f"{prefix}{name}" for name in self._fine_tunes.suggestions(bare)]
            raise NotFound("fine-tunable model", requested, suggestions, path, note)
        return self._preferred_fine_tune(candidates, self._canonical_base(bare))

    def resolve_reranker(self, requested: str, path: str) -> Reranker:
        """A reranker by id, alias, or ``provider/`` prefix of its provider (as models)."""
        return self._require_by_provider(self.reranker_index, requested, path)

    def resolve_vector_store(self, requested: str, path: str) -> VectorStore:
        """A vector store plan by id, alias, or ``provider/`` prefix of its provider."""
        return self._require_by_provider(self.vector_store_index, requested, path)

    def _require_by_provider(self, index: Index[_Provided], requested: str, path: str) -> _Provided:
        # `cohere/rerank-v3.5` as `openai/gpt-4o` resolves: the prefix must name the provider.
        found = index.lookup(requested.strip())
        if found is not None:
            return found[0]
        provider, bare = self._split_provider(requested.strip())
        note = None
        if provider is not None:
            found = index.lookup(bare)
            if found is not None and found[0].provider == provider:
                return found[0]
            if found is not None:
                note = _wrong_provider(bare, found[0].provider, provider, index.kind)
        return index.require(requested, path, note)

    def resolve_gpu(self, requested: str, path: str = "$.gpu") -> Gpu:
        """A GPU by id or alias."""
        return self.gpu_index.require(requested, path)

    def resolve_architecture(self, requested: str, path: str = "$.architecture") -> Architecture:
        """An open-weight architecture by id or alias."""
        return self.architecture_index.require(requested, path)

    def _split_provider(self, requested: str) -> tuple[str | None, str]:
        head, sep, rest = requested.partition("/")
        if sep and head.lower() in self.providers:
            return head.lower(), rest
        return None, requested

    def _resolve_plain(self, requested: str, path: str) -> tuple[ChatModel, MatchRule]:
        found = self._models.lookup(requested)
        if found is not None:
            return found

        provider, bare = self._split_provider(requested)
        note = None
        if provider is not None:
            found = self._models.lookup(bare)
            if found is not None and found[0].provider == provider:
                return found[0], "provider_prefix"
            if found is not None:
                # The id exists under another provider: say so, rather than a hint about
                # another kind of entry that may share the bare id (a fine-tuning row).
                note = _wrong_provider(found[0].id, found[0].provider, provider)
        raise NotFound(
            "model",
            requested,
            self._model_suggestions(requested),
            path,
            note or self._other_kind(bare),
        )

    def _other_kind(self, requested: str) -> str | None:
        """Say so when an id names an entry of another kind (a reranker given as a model)."""
        others = (
            self.reranker_index,
            self.vector_store_index,
            self.gpu_index,
            self.architecture_index,
        )
        for index in others:
            if index.lookup(requested) is not None:
                return f"{requested!r} is {_article(index.kind)} {index.kind} in this table"
        if self._fine_tunes.lookup(requested) is not None:
            return f"{requested!r} is priced here only fine-tuned: use ft:{requested}"
        return None

    def _model_suggestions(self, requested: str) -> list[str]:
        fine_tuned = [f"{FINE_TUNED_PREFIX}{ft.base}".lower() for ft in self.fine_tunes if ft.model]
        names = list(dict.fromkeys([*self._models.names(), *fine_tuned]))
        close = difflib.get_close_matches(requested.lower().strip(), names, _SUGGESTIONS, 0.5)
        return self._models.spelled(close)

    def _canonical_base(self, bare: str) -> str:
        found = self._models.lookup(bare)
        return found[0].id.lower() if found is not None else bare.lower()

    def _preferred_fine_tune(self, candidates: list[FineTune], canonical: str) -> FineTune:
        found = self._models.lookup(canonical)
        home_provider = found[0].provider if found is not None else None
        for ft in candidates:
            if ft.provider == home_provider:
                return ft
        return candidates[0]

    def _resolve_fine_tuned(self, requested: str, path: str) -> tuple[ChatModel, MatchRule]:
        fine_tune = self.resolve_fine_tune(requested, path)
        if fine_tune.model is None:
            raise NotFound("fine-tuned model", requested, [], path)
        return fine_tune.model, "fine_tuned"

    def _kind_suggestions(self, kind: str) -> list[str]:
        return [m.id for m in self.models if m.kind == kind][:_SUGGESTIONS]


class Catalog:
    """Every loaded table, by version, with ``latest`` resolved to the newest."""

    def __init__(self, tables: Iterable[PricingTable]) -> None:
        self.tables = {table.version: table for table in tables}
        if not self.tables:
            raise ValueError("a catalog needs at least one table")
        self.latest_version = max(self.tables)

    @property
    def latest(self) -> PricingTable:
        """The newest table."""
        return self.tables[self.latest_version]

    def get(self, version: str | None, path: str = "$.pricing_version") -> PricingTable:
        """A table by version; None or ``latest`` (any case) is the newest.

        Surrounding spaces are ignored, as they are in model ids.

        Raises:
            NotFound: No table has that version.
        """
        if version is None or names_latest(version):
            return self.latest
        table = self.tables.get(version.strip())
        if table is None:
            known = [*sorted(self.tables), LATEST]
            close = difflib.get_close_matches(version.strip(), known, _SUGGESTIONS, 0.3)
            raise NotFound("pricing version", version, close or known, path)
        return table
