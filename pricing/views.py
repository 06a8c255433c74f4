"""Read-only views of a table for listing, lookup and diffs."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from pricing.catalog import Catalog, ModelMatch, PricingTable
from pricing.entries import (
    Architecture,
    ChatModel,
    FineTune,
    Gpu,
    RateCard,
    Reranker,
    TokenRates,
    VectorStore,
)
from pricing.errors import InvalidInput, NotFound
from pricing.schema import TOKEN_CLASSES

EntryKind = Literal["chat", "embedding", "fine_tuned", "reranker", "vector_store"]


class PricingVersion(msgspec.Struct, kw_only=True):
    """One published table."""

    version: Annotated[str, Meta(description="The version: its publication date.")]
    published: Annotated[str, Meta(description="Date the table took effect.")]
    source: Annotated[str, Meta(description="Where its figures come from.")]
    description: str
    model_count: Annotated[int, Meta(description="Priced models incl. fine-tuned ones.")]
    content_hash: Annotated[str, Meta(description="SHA-256 of the table file.")]
    latest: Annotated[bool, Meta(description="Whether `latest` resolves to it.")]


class PricingVersionList(msgspec.Struct, kw_only=True):
    """Every published table."""

    latest: Annotated[str, Meta(description="The version `latest` resolves to.")]
    versions: list[PricingVersion]


class ModelSummary(msgspec.Struct, kw_only=True):
    """A priced entry of a table, in brief."""

    id: Annotated[
        str,
        Meta(
            description="The id getModel resolves to this entry: `provider/id` when two "
            "providers price the same id (as the diff names it)."
        ),
    ]
    provider: str
    kind: EntryKind
    aliases: Annotated[
        list[str],
        Meta(
            description="Other ids of the entry; for a fine-tuned entry its base's aliases, "
            "written after `ft:` (as getModel's `fine_tuning.aliases` and the diff list them), "
            "and after `provider/` too when the listed id carries it."
        ),
    ]
    service_tiers: Annotated[list[str], Meta(description="Tiers with a price row.")]
    context_window: int | None = None


class ModelList(msgspec.Struct, kw_only=True):
    """Entries of one table, filtered."""

    pricing_version: str
    models: list[ModelSummary]


class ModelDetail(msgspec.Struct, kw_only=True):
    """One priced entry with all its rows (token rates in USD per 1M tokens)."""

    pricing_version: str
    kind: Annotated[EntryKind, Meta(description="The entry's kind, as listModels reports it.")]
    match: Annotated[ModelMatch, Meta(description="How the requested id resolved.")]
    model: Annotated[
        ChatModel | None, Meta(description="Per-token rows (chat, embedding, fine-tuned).")
    ] = None
    fine_tuning: Annotated[
        FineTune | None, Meta(description="Training and hosting, for an `ft:` id.")
    ] = None
    reranker: Reranker | None = None
    vector_store: VectorStore | None = None


class GpuList(msgspec.Struct, kw_only=True):
    """The GPU catalog of a table (memory in decimal GB, dense BF16 TFLOP/s)."""

    pricing_version: str
    gpus: list[Gpu]


class TableDocument(msgspec.Struct, kw_only=True):
    """A whole table, normalized (token rates in USD per 1M tokens)."""

    version: str
    published: str
    source: str
    description: str
    content_hash: str
    providers: dict[str, str]
    models: list[ChatModel]
    fine_tunes: list[FineTune]
    rerankers: list[Reranker]
    vector_stores: list[VectorStore]
    gpus: list[Gpu]
    architectures: list[Architecture]


class RateChange(msgspec.Struct, kw_only=True):
    """A token rate that differs between two tables."""

    id: Annotated[str, Meta(description="Model id (`ft:<base>` for fine-tuned inference).")]
    service_tier: str
    token_class: str
    from_rate: Annotated[Decimal | None, Meta(description="USD per 1M tokens; null: unpriced.")]
    to_rate: Annotated[Decimal | None, Meta(description="USD per 1M tokens; null: unpriced.")]
    above_input_tokens: Annotated[
        int | None,
        Meta(
            description="The long-context tier whose rate this is (total input above this "
            "many tokens); null: the base rate."
        ),
    ] = None


PriceName = Literal[
    "training",
    "hosting",
    "searches",
    "storage",
    "read_units",
    "write_units",
    "monthly_minimum",
    "gpu_hour",
]


class PriceChange(msgspec.Struct, kw_only=True):
    """A price other than a token rate that differs between two tables, with its units."""

    id: Annotated[
        str, Meta(description="`ft:<base>` (training, hosting), a reranker or a vector store.")
    ]
    price: Annotated[PriceName, Meta(description="Which price of the entry changed.")]
    offer: Annotated[
        str | None,
        Meta(
            description="For `gpu_hour`: the offer, `<provider> <sku>` as serving's "
            "`gpu_offer` assumption names it; null for the default offer, the one billed "
            "when a request names no `gpu_provider`. Null for every other price."
        ),
    ] = None
    from_rate: Annotated[Decimal | None, Meta(description="In `from_unit`; null: unpriced.")]
    from_unit: Annotated[str | None, Meta(description="e.g. usd_per_1k_examples.")]
    to_rate: Annotated[Decimal | None, Meta(description="In `to_unit`; null: unpriced.")]
    to_unit: Annotated[str | None, Meta(description="e.g. usd_per_1m_trained_tokens.")]


class AliasChange(msgspec.Struct, kw_only=True):
    """Ids that resolve to an entry in one table and not in the other (its prices aside)."""

    id: Annotated[str, Meta(description="The entry, named as in `added`.")]
    added: Annotated[list[str], Meta(description="Aliases only `to` lists (dated snapshots).")]
    removed: Annotated[list[str], Meta(description="Aliases only `from` lists.")]


class PricingDiff(msgspec.Struct, kw_only=True):
    """What changed from one table to another, at each table's publication date."""

    from_version: str
    to_version: str
    added: Annotated[
        list[str],
        Meta(
            description="Ids priced only in `to`: models, `ft:` ids, rerankers, vector stores, "
            "GPUs."
        ),
    ]
    removed: Annotated[list[str], Meta(description="Ids priced only in `from`, as `added`.")]
    changed: Annotated[
        list[RateChange],
        Meta(description="Token rates (USD per 1M), base and long-context tiers, by tier."),
    ]
    prices_changed: Annotated[
        list[PriceChange],
        Meta(
            description="Every other price of an entry in both tables: fine-tuning training "
            "and hosting, reranker searches, vector-store storage, units and minimum, and a "
            "GPU's hourly price (`gpu_hour`) at its default offer (`offer` null) and at each "
            "offer a request can name; an offer in one table only has a null rate in the other."
        ),
    ] = []
    aliases_changed: Annotated[
        list[AliasChange],
        Meta(
            description="Entries in both tables whose aliases differ: an id such as "
            "`claude-sonnet-4-5-20250929` that one table resolves and the other does not. "
            "For an `ft:` entry the aliases are its base's."
        ),
    ] = []


def version_list(catalog: Catalog) -> PricingVersionList:
    """Every table, newest first."""
    versions = [
        PricingVersion(
            version=t.version,
            published=t.published.isoformat(),
            source=t.source,
            description=t.description,
            model_count=len(model_list(t, None, None).models),
            content_hash=t.content_hash,
            latest=t.version == catalog.latest_version,
        )
        for t in sorted(catalog.tables.values(), key=lambda t: t.version, reverse=True)
    ]
    return PricingVersionList(latest=catalog.latest_version, versions=versions)


def table_document(table: PricingTable) -> TableDocument:
    """The whole table."""
    return TableDocument(
        version=table.version,
        published=table.published.isoformat(),
        source=table.source,
        description=table.description,
        content_hash=table.content_hash,
        providers=table.providers,
        models=list(table.models),
        fine_tunes=list(table.fine_tunes),
        rerankers=list(table.rerankers),
        vector_stores=list(table.vector_stores),
        gpus=list(table.gpus),
        architectures=list(table.architectures),
    )


def _priced_models(table: PricingTable) -> list[ChatModel]:
    fine_tuned = [ft.model for ft in table.fine_tunes if ft.model is not None]
    return [*table.models, *fine_tuned]


def _summary(model: ChatModel, kind: EntryKind) -> ModelSummary:
    return ModelSummary(
        id=model.id,
        provider=model.provider,
        kind=kind,
        aliases=list(model.aliases),
        service_tiers=model.service_tiers(),
        context_window=model.context_window,
    )


def model_list(table: PricingTable, provider: str | None, kind: str | None) -> ModelList:
    """The table's priced entries, optionally of one provider and one kind.

    Raises:
        InvalidInput: The provider is not one of the table's.
    """
    if provider is not None:
        provider = provider.strip().lower()
        if provider not in table.providers:
            known = ", ".join(sorted(table.providers))
            raise InvalidInput("$.provider", f"unknown provider {provider!r}; known: {known}")
    entries = [_summary(m, m.kind) for m in table.models]  # type: ignore[arg-type]
    for ft in table.fine_tunes:
        if ft.model is not None:
            # The inference row carries no aliases; the base's are the ones `ft:` ids resolve.
            summary = _summary(ft.model, "fine_tuned")
            summary.aliases = list(ft.aliases)
            entries.append(summary)
    entries += [
        ModelSummary(
            id=r.id, provider=r.provider, kind="reranker", aliases=list(r.aliases), service_tiers=[]
        )
        for r in table.rerankers
    ]
    entries += [
        ModelSummary(
            id=v.id,
            provider=v.provider,
            kind="vector_store",
            aliases=list(v.aliases),
            service_tiers=[],
        )
        for v in table.vector_stores
    ]
    # Azure's and OpenAI's `ft:gpt-4.1` share an id, and the bare id resolves to OpenAI's: listed
    # bare, Azure's entry (with its hosting price) could not be fetched by the id shown.
    names = _entry_names({(e.id, e.provider) for e in entries})
    for e in entries:
        e.id = names[(e.id, e.provider)]
    chosen = [
        e
        for e in entries
        if (provider is None or e.provider == provider) and (kind is None or e.kind == kind)
    ]
    return ModelList(pricing_version=table.version, models=chosen)


def model_detail(table: PricingTable, model_id: str) -> ModelDetail:
    """One entry by any id the resolvers accept: models, fine-tunes, rerankers, vector stores.

    Raises:
        NotFound: The id does not resolve.
    """
    try:
        model, match = table.resolve_model(model_id, path="$.model_id")
    except NotFound as missing:
        other = _other_entry(table, model_id)
        if other is None:
            raise missing from None
        return other

    if match.matched_by == "fine_tuned":
        return ModelDetail(
            pricing_version=table.version,
            kind="fine_tuned",
            match=match,
            model=model,
            fine_tuning=table.resolve_fine_tune(model_id),
        )
    kind: EntryKind = "embedding" if model.kind == "embedding" else "chat"
    return ModelDetail(pricing_version=table.version, kind=kind, match=match, model=model)


def _other_entry(table: PricingTable, entry_id: str) -> ModelDetail | None:
    reranker = table.reranker_index.lookup(entry_id.strip())
    if reranker is not None:
        entry, rule = reranker
        match = ModelMatch(
            id=entry.id, requested=entry_id, matched_by=rule, provider=entry.provider
        )
        return ModelDetail(
            pricing_version=table.version, kind="reranker", match=match, reranker=entry
        )
    store = table.vector_store_index.lookup(entry_id.strip())
    if store is not None:
        entry, rule = store
        match = ModelMatch(
            id=entry.id, requested=entry_id, matched_by=rule, provider=entry.provider
        )
        return ModelDetail(
            pricing_version=table.version, kind="vector_store", match=match, vector_store=entry
        )
    return None


def _rates_at(model: ChatModel, at: datetime) -> dict[str, RateCard]:
    return {card.service_tier: card for card in model.rate_cards if card.covers(at)}


def diff_tables(catalog: Catalog, from_version: str, to_version: str) -> PricingDiff:
    """Added, removed and changed prices between two tables.

    Each table's rows are compared as in force on its own publication date. Every priced entry
    counts (models, fine-tunes, rerankers, vector stores, GPUs at their default offer), and
    every price it has: a diff that left one out would say "unchanged" about a price that
    moved. Entries are told apart by id
    and provider; an id that two providers price (Azure's and OpenAI's `ft:gpt-4.1`) is named
    `provider/id`, as getModel resolves it.

    Raises:
        NotFound: A version does not exist.
        InvalidInput: Both versions are the same.
    """
    old = catalog.get(from_version, "$.from")
    new = catalog.get(to_version, "$.to")
    if old.version == new.version:
        raise InvalidInput("$.to", "from and to name the same table")

    old_models = {(m.id, m.provider): m for m in _priced_models(old)}
    new_models = {(m.id, m.provider): m for m in _priced_models(new)}
    old_prices, new_prices = _other_prices(old), _other_prices(new)
    old_keys = old_models.keys() | old_prices.keys()
    new_keys = new_models.keys() | new_prices.keys()
    name = _entry_names(old_keys | new_keys)

    changed = []
    for key in sorted(old_models.keys() & new_models.keys(), key=name.__getitem__):
        changed += _changes(name[key], old_models[key], new_models[key], old, new)
    prices_changed = [
        PriceChange(
            id=name[key],
            price=price,
            offer=offer,
            from_rate=before[0],
            from_unit=before[1],
            to_rate=after[0],
            to_unit=after[1],
        )
        for key in sorted(old_prices.keys() & new_prices.keys(), key=name.__getitem__)
        for price, offer in sorted(
            old_prices[key].keys() | new_prices[key].keys(), key=_price_order
        )
        if (before := old_prices[key].get((price, offer), _UNPRICED))
        != (after := new_prices[key].get((price, offer), _UNPRICED))
    ]
    return PricingDiff(
        from_version=old.version,
        to_version=new.version,
        added=sorted(name[key] for key in new_keys - old_keys),
        removed=sorted(name[key] for key in old_keys - new_keys),
        changed=changed,
        prices_changed=prices_changed,
        aliases_changed=_alias_changes(old, new, name),
    )


def _aliases(table: PricingTable) -> dict[_EntryKey, frozenset[str]]:
    """Each entry's aliases, keyed as the diff keys its prices."""
    found: dict[_EntryKey, frozenset[str]] = {
        (m.id, m.provider): frozenset(m.aliases) for m in table.models
    }
    for ft in table.fine_tunes:
        found[(f"ft:{ft.base}", ft.provider)] = frozenset(ft.aliases)
    for entry in (*table.rerankers, *table.vector_stores):
        found[(entry.id, entry.provider)] = frozenset(entry.aliases)
    for gpu in table.gpus:
        found[(gpu.id, _GPU)] = frozenset(gpu.aliases)
    return found


def _alias_changes(
    old: PricingTable, new: PricingTable, name: dict[_EntryKey, str]
) -> list[AliasChange]:
    # Without this, a table that only adds dated snapshot ids diffs as "nothing changed",
    # although ids that were 404s now resolve.
    before, after = _aliases(old), _aliases(new)
    return [
        AliasChange(
            id=name[key],
            added=sorted(after[key] - before[key]),
            removed=sorted(before[key] - after[key]),
        )
        for key in sorted(before.keys() & after.keys(), key=name.__getitem__)
        if before[key] != after[key]
    ]


_EntryKey = tuple[str, str]  # (id, provider)


def _entry_names(keys: set[_EntryKey]) -> dict[_EntryKey, str]:
    """Each entry's name in a diff: its id, or `provider/id` when providers share the id."""
    providers: dict[str, int] = {}
    for entry_id, _ in keys:
        providers[entry_id] = providers.get(entry_id, 0) + 1
    return {
        (entry_id, provider): entry_id if providers[entry_id] == 1 else f"{provider}/{entry_id}"
        for entry_id, provider in keys
    }


_PRICE_ORDER: tuple[PriceName, ...] = (
    "training",
    "hosting",
    "searches",
    "storage",
    "read_units",
    "write_units",
    "monthly_minimum",
    "gpu_hour",
)
#: The "provider" of a GPU entry: GPU ids never collide with a priced model's.
_GPU = "gpu"
_Price = tuple[Decimal | None, str | None]
#: A price of an entry: its name, and for a GPU's hourly price the offer (None: the default).
_PriceKey = tuple[PriceName, str | None]
_UNPRICED: _Price = (None, None)


def _price_order(price: _PriceKey) -> tuple[int, str]:
    """The order of `_PRICE_ORDER`, a GPU's default offer (None) before its named offers."""
    name, offer = price
    return _PRICE_ORDER.index(name), "" if offer is None else f" {offer}"


def _other_prices(table: PricingTable) -> dict[_EntryKey, dict[_PriceKey, _Price]]:
    """Every price that is not a token rate, by entry (id, provider), each with its unit."""
    prices: dict[_EntryKey, dict[_PriceKey, _Price]] = {}
    for ft in table.fine_tunes:
        entry: dict[_PriceKey, _Price] = {("training", None): (ft.training_rate, ft.training_unit)}
        if ft.hosting_usd_per_hour is not None:
            entry[("hosting", None)] = (ft.hosting_usd_per_hour, "usd_per_hour")
        # The id its fine-tuned inference row carries (the table builds it as `ft:<base>`).
        prices[(f"ft:{ft.base}", ft.provider)] = entry
    for reranker in table.rerankers:
        prices[(reranker.id, reranker.provider)] = {
            ("searches", None): (reranker.usd_per_1k_searches, "usd_per_1k_searches")
        }
    for store in table.vector_stores:
        prices[(store.id, store.provider)] = {
            ("storage", None): (store.storage_usd_per_gb_month, "usd_per_gb_month"),
            ("read_units", None): (store.read_usd_per_1m_units, "usd_per_1m_read_units"),
            ("write_units", None): (store.write_usd_per_1m_units, "usd_per_1m_write_units"),
            ("monthly_minimum", None): (store.monthly_minimum_usd, "usd_per_month"),
        }
    for gpu in table.gpus:
        # The offer that serving and self-hosted training bill when a request names none:
        # left out, a GPU-hour price that moved would read as unchanged.
        hourly: dict[_PriceKey, _Price] = {
            ("gpu_hour", None): (gpu.default_offer.usd_per_hour, "usd_per_hour")
        }
        # And every offer a request can name with gpu_provider (and gpu_sku): those are
        # billed too, so a cut of a non-default offer must not read as unchanged either.
        for offer in gpu.offers:
            label = f"{offer.provider} {offer.sku}"
            hourly[("gpu_hour", label)] = (offer.usd_per_hour, "usd_per_hour")
        prices[(gpu.id, _GPU)] = hourly
    return prices


def _published_at(table: PricingTable) -> datetime:
    return datetime(table.published.year, table.published.month, table.published.day, tzinfo=UTC)


def _changes(
    model_id: str, old: ChatModel, new: ChatModel, old_table: PricingTable, new_table: PricingTable
) -> list[RateChange]:
    old_cards = _rates_at(old, _published_at(old_table))
    new_cards = _rates_at(new, _published_at(new_table))
    changes = []
    for tier in sorted(old_cards.keys() | new_cards.keys()):
        before_rows = _rate_rows(old_cards.get(tier))
        after_rows = _rate_rows(new_cards.get(tier))
        # The base rates first (None), then each long-context threshold, lowest first.
        for above in sorted(
            before_rows.keys() | after_rows.keys(), key=lambda a: -1 if a is None else a
        ):
            for token_class in TOKEN_CLASSES:
                before = _class_rate(before_rows.get(above), token_class)
                after = _class_rate(after_rows.get(above), token_class)
                if before != after:
                    changes.append(
                        RateChange(
                            id=model_id,
                            service_tier=tier,
                            token_class=token_class,
                            from_rate=before,
                            to_rate=after,
                            above_input_tokens=above,
                        )
                    )
    return changes


def _rate_rows(card: RateCard | None) -> dict[int | None, TokenRates]:
    """A card's base rates (key None) and each long-context tier's, by threshold."""
    if card is None:
        return {}
    return {None: card.rates, **{tier.above_input_tokens: tier.rates for tier in card.tiers}}


def _class_rate(rates: TokenRates | None, token_class: str) -> Decimal | None:
    return None if rates is None else getattr(rates, token_class)
