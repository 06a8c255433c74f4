"""Read table files, normalize their units and validate them; any fault stops the load."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import msgspec

from pricing.catalog import FINE_TUNED_PREFIX, Catalog, PricingTable
from pricing.entries import (
    Architecture,
    CachePolicy,
    ChatModel,
    ContextTier,
    FineTune,
    Gpu,
    GpuOffer,
    RateCard,
    Reranker,
    TokenRates,
    VectorStore,
    count_parameters,
)
from pricing.errors import InvalidInput, TableLoadError
from pricing.schema import (
    TOKEN_CLASSES,
    ArchitectureSpec,
    CachingSpec,
    FineTuneSpec,
    GpuSpec,
    ModelSpec,
    PriceRowSpec,
    ProviderSpec,
    RateCardSpec,
    RateSpec,
    RerankerSpec,
    TableSpec,
    TokenRateFields,
    VectorStoreSpec,
)
from pricing.units import Dimension, check_unit, to_canonical

#: Where the tables shipped with the package live.
TABLES_DIR = Path(__file__).parent / "tables"

_PATH_IN_MESSAGE = re.compile(r" - at `\$(?P<path>[^`]*)`$")

S = TypeVar("S")


class _Problem(Exception):
    """A fault found while normalizing, before the file name is attached."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(reason)


def load_catalog(directory: Path = TABLES_DIR) -> Catalog:
    """Load and validate every ``*.toml`` table in a directory.

    Args:
        directory: The folder holding the table files.

    Returns:
        A catalog of every table.

    Raises:
        TableLoadError: A file is unreadable or invalid; the error names the file and the path.
    """
    if not directory.is_dir():
        # glob() of a missing directory finds nothing: say what is wrong, not "no files".
        raise TableLoadError(str(directory), "", "no such directory")
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise TableLoadError(str(directory), "", "no *.toml table files found")
    return Catalog(load_table(path) for path in files)


def load_table(path: Path) -> PricingTable:
    """Load one table file.

    Raises:
        TableLoadError: The file is unreadable or invalid.
    """
    raw = path.read_bytes()
    try:
        spec = _parse(raw)
        table = _normalize(spec, path.name, hashlib.sha256(raw).hexdigest())
    except _Problem as problem:
        raise TableLoadError(str(path), problem.path, problem.reason) from None

    if table.version != path.stem:
        raise TableLoadError(
            str(path), "table.version", f"{table.version!r} does not match the file name"
        )
    return table


def read_spec(path: Path, spec_type: type[S]) -> tuple[S, bytes]:
    """Read one TOML data file into the Struct that describes its shape.

    Args:
        path: The file.
        spec_type: The msgspec Struct of the whole file (unknown fields forbidden).

    Returns:
        The decoded spec and the file's bytes (for a content hash).

    Raises:
        TableLoadError: Not TOML, or not of that shape; names the file and the path inside it.
    """
    raw = path.read_bytes()
    try:
        return _decode(raw, spec_type), raw
    except _Problem as problem:
        raise TableLoadError(str(path), problem.path, problem.reason) from None


def _parse(raw: bytes) -> TableSpec:
    return _decode(raw, TableSpec)


def _decode(raw: bytes, spec_type: type[S]) -> S:
    try:
        data = tomllib.loads(raw.decode("utf-8"), parse_float=Decimal)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise _Problem("(file)", f"not valid TOML: {exc}") from None

    try:
        return msgspec.convert(data, spec_type)
    except msgspec.ValidationError as exc:
        message = str(exc)
        found = _PATH_IN_MESSAGE.search(message)
        where = found.group("path").lstrip(".") if found else "(root)"
        reason = message[: found.start()] if found else message
        raise _Problem(where, reason) from None


def _normalize(spec: TableSpec, file_name: str, content_hash: str) -> PricingTable:
    providers = {provider.id: provider for provider in spec.providers}
    models = [_chat_model(m, f"models[{i}]", providers) for i, m in enumerate(spec.models)]
    _check_unique(((m.id, m.aliases) for m in models), "models")
    models = _derive_service_tiers(models, spec.providers)
    # Fine-tunes inherit context window and caching from their base, named by id or alias.
    model_by_name = {name.lower(): m for m in models for name in (m.id, *m.aliases)}

    return PricingTable(
        version=spec.table.version,
        published=spec.table.published,
        source=spec.table.source,
        description=spec.table.description,
        reference=spec.table.reference,
        content_hash=content_hash,
        file_name=file_name,
        providers={p.id: p.name for p in spec.providers},
        models=tuple(models),
        fine_tunes=_fine_tunes(spec.fine_tunes, providers, model_by_name),
        rerankers=_rerankers(spec.rerankers, providers),
        vector_stores=_vector_stores(spec.vector_stores, providers),
        gpus=_gpus(spec.gpus),
        architectures=_architectures(spec.architectures),
    )


def _check_unique(entries: Iterable[tuple[str, Sequence[str]]], section: str) -> None:
    seen: dict[str, str] = {}
    for index, (entry_id, aliases) in enumerate(entries):
        for name in (entry_id, *aliases):
            key = name.lower()
            if key in seen:
                raise _Problem(
                    f"{section}[{index}]", f"duplicate id or alias {name!r} (also {seen[key]!r})"
                )
            seen[key] = entry_id


def _check_provider(provider: str, providers: dict[str, ProviderSpec], path: str) -> None:
    if provider not in providers:
        raise _Problem(f"{path}.provider", f"unknown provider {provider!r}; declare it first")


def _token_rates(fields: TokenRateFields, unit: str, path: str) -> TokenRates:
    values = {}
    for name in TOKEN_CLASSES:
        rate = getattr(fields, name)
        values[name] = (
            None if rate is None else _canonical(rate, unit, Dimension.TOKENS, path, name)
        )
    return TokenRates(**values)


def _canonical(rate: Decimal, unit: str, dimension: Dimension, path: str, field: str) -> Decimal:
    try:
        return to_canonical(rate, unit, dimension)
    except ValueError as exc:
        raise _Problem(f"{path}.{field}", str(exc)) from None


def _rate(spec: RateSpec, dimension: Dimension, path: str) -> Decimal:
    return _canonical(spec.rate, spec.unit, dimension, path, "rate")


def cache_policy(spec: CachingSpec | None) -> CachePolicy | None:
    """A prompt-cache policy from its spec (None stays None)."""
    if spec is None:
        return None
    return CachePolicy(
        mode=spec.mode, min_tokens=spec.min_tokens, increment_tokens=spec.increment_tokens
    )


def rate_card_from_spec(spec: RateCardSpec, path: str, service_tier: str = "standard") -> RateCard:
    """Normalize one rate card (a table row or a request's inline ``rates``).

    Args:
        spec: The card as written.
        path: Where it stands, for errors.
        service_tier: The tier the card prices.

    Returns:
        The card with canonical rates and no effective window.

    Raises:
        ValueError: Through ``_Problem``: a unit, magnitude or blended-price fault.
    """
    try:
        check_unit(spec.unit, Dimension.TOKENS)
    except ValueError as exc:
        raise _Problem(f"{path}.unit", str(exc)) from None
    if spec.blended is not None:
        if spec.input is not None or spec.output is not None:
            raise _Problem(f"{path}.blended", "give either blended or input/output, not both")
        _canonical(spec.blended, spec.unit, Dimension.TOKENS, path, "blended")
        spec = msgspec.structs.replace(spec, input=spec.blended, output=spec.blended, blended=None)

    rates = _token_rates(spec, spec.unit, path)
    tiers = tuple(_tier(tier, spec.unit, f"{path}.tiers[{i}]") for i, tier in enumerate(spec.tiers))
    thresholds = [tier.above_input_tokens for tier in tiers]
    if thresholds != sorted(set(thresholds)):
        raise _Problem(f"{path}.tiers", "tier thresholds must be distinct and ascending")
    return RateCard(
        service_tier=service_tier,  # type: ignore[arg-type]
        effective_from=None,
        effective_to=None,
        rates=rates,
        tiers=tiers,
    )


def _tier(spec: TokenRateFields, unit: str, path: str) -> ContextTier:
    rates = _token_rates(spec, unit, path)
    if all(getattr(rates, name) is None for name in TOKEN_CLASSES):
        raise _Problem(path, "a tier must re-price at least one token class")
    return ContextTier(
        above_input_tokens=spec.above_input_tokens,  # type: ignore[attr-defined]
        inclusive=spec.inclusive,  # type: ignore[attr-defined]
        rates=rates,
    )


def _midnight(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def _rate_cards(rows: Sequence[PriceRowSpec], path: str) -> tuple[RateCard, ...]:
    cards: list[RateCard] = []
    by_tier: dict[str, list[tuple[int, PriceRowSpec]]] = {}
    for index, row in enumerate(rows):
        by_tier.setdefault(row.service_tier, []).append((index, row))

    for tier, tier_rows in by_tier.items():
        tier_rows.sort(key=lambda item: item[1].effective_from or date.min)
        for position, (index, row) in enumerate(tier_rows):
            row_path = f"{path}[{index}]"
            following = tier_rows[position + 1][1] if position + 1 < len(tier_rows) else None
            start, end = _window(row, following, row_path)
            card = rate_card_from_spec(row, row_path, tier)
            cards.append(msgspec.structs.replace(card, effective_from=start, effective_to=end))
    return tuple(cards)


def _window(
    row: PriceRowSpec, following: PriceRowSpec | None, path: str
) -> tuple[datetime | None, datetime | None]:
    start = row.effective_from
    end = row.effective_to
    if end is not None and start is not None and end <= start:
        raise _Problem(f"{path}.effective_to", "must be after effective_from")
    if following is not None:
        next_start = following.effective_from
        if next_start is None or (start or date.min) == next_start:
            raise _Problem(
                f"{path}.effective_from", f"two {row.service_tier} rows start on the same day"
            )
        if end is not None and end > next_start:
            raise _Problem(f"{path}.effective_to", "overlaps the next row of the same tier")
        end = end or next_start
    return _midnight(start), _midnight(end)


def _chat_model(spec: ModelSpec, path: str, providers: dict[str, ProviderSpec]) -> ChatModel:
    _check_provider(spec.provider, providers, path)
    if not spec.prices:
        raise _Problem(f"{path}.prices", "a model needs at least one price row")
    if spec.id.lower().startswith(FINE_TUNED_PREFIX):
        raise _Problem(f"{path}.id", "ft: ids are derived from fine_tunes entries")

    cards = _rate_cards(spec.prices, f"{path}.prices")
    if not any(card.service_tier == "standard" for card in cards):
        raise _Problem(f"{path}.prices", "a model needs a standard service-tier row")
    return ChatModel(
        id=spec.id,
        provider=spec.provider,
        kind=spec.kind,
        name=spec.name or spec.id,
        aliases=tuple(spec.aliases),
        context_window=spec.context_window,
        training_context=spec.training_context,
        dimensions=spec.dimensions,
        caching=cache_policy(spec.caching),
        source=spec.source,
        verified=spec.verified,
        rate_cards=cards,
    )


def _check_positive(value: Decimal, path: str, ceiling: Decimal | None = None) -> None:
    if not value.is_finite() or value <= 0 or (ceiling is not None and value > ceiling):
        bound = f" and at most {ceiling}" if ceiling is not None else ""
        raise _Problem(path, f"{value} must be a finite number above 0{bound}")


def _derive_service_tiers(
    models: list[ChatModel], providers: Sequence[ProviderSpec]
) -> list[ChatModel]:
    by_id = {m.id: m for m in models}
    for p_index, provider in enumerate(providers):
        for m_index, rule in enumerate(provider.tier_multipliers):
            path = f"providers[{p_index}].tier_multipliers[{m_index}]"
            _check_positive(rule.multiplier, f"{path}.multiplier", Decimal(10))
            for model_id in _multiplier_targets(rule.models, provider.id, by_id, path):
                by_id[model_id] = _with_derived_tier(
                    by_id[model_id], rule.service_tier, rule.multiplier, provider.id
                )
    return [by_id[m.id] for m in models]


def _multiplier_targets(
    listed: list[str] | None, provider: str, by_id: dict[str, ChatModel], path: str
) -> list[str]:
    if listed is None:
        return [m.id for m in by_id.values() if m.provider == provider]
    for model_id in listed:
        if model_id not in by_id or by_id[model_id].provider != provider:
            raise _Problem(f"{path}.models", f"{model_id!r} is not a model of {provider!r}")
    return listed


def _with_derived_tier(
    model: ChatModel, tier: str, multiplier: Decimal, provider: str
) -> ChatModel:
    if any(card.service_tier == tier for card in model.rate_cards):
        return model  # a written row beats a derived one

    note = f"{provider} {tier} multiplier {multiplier} applied to the standard row"
    derived = tuple(
        msgspec.structs.replace(
            card,
            service_tier=tier,
            rates=card.rates.scaled(multiplier),
            tiers=tuple(
                msgspec.structs.replace(t, rates=t.rates.scaled(multiplier)) for t in card.tiers
            ),
            derived_from=note,
        )
        for card in model.rate_cards
        if card.service_tier == "standard"
    )
    return msgspec.structs.replace(model, rate_cards=model.rate_cards + derived)


def _fine_tunes(
    specs: Sequence[FineTuneSpec],
    providers: dict[str, ProviderSpec],
    models: dict[str, ChatModel],
) -> tuple[FineTune, ...]:
    seen: set[tuple[str, str]] = set()
    result = []
    for index, spec in enumerate(specs):
        path = f"fine_tunes[{index}]"
        _check_provider(spec.provider, providers, path)
        key = (spec.base.lower(), spec.provider)
        if key in seen:
            raise _Problem(
                path, f"duplicate fine-tuning entry for {spec.base!r} at {spec.provider}"
            )
        seen.add(key)
        result.append(_fine_tune(spec, path, models.get(spec.base.lower())))
    return tuple(result)


def _fine_tune(spec: FineTuneSpec, path: str, base: ChatModel | None) -> FineTune:
    training_unit = spec.training.unit
    dimension = (
        Dimension.EXAMPLES if training_unit == "usd_per_1k_examples" else Dimension.TRAINED_TOKENS
    )
    training_rate = _rate(spec.training, dimension, f"{path}.training")
    hosting = (
        None if spec.hosting is None else _rate(spec.hosting, Dimension.HOURS, f"{path}.hosting")
    )
    model = None
    if spec.prices:
        model = ChatModel(
            id=f"{FINE_TUNED_PREFIX}{spec.base}",
            provider=spec.provider,
            kind="chat",
            name=f"fine-tuned {spec.base}",
            aliases=(),
            context_window=base.context_window if base else None,
            training_context=spec.training_context,
            dimensions=None,
            caching=base.caching if base else None,
            source=spec.source,
            verified=spec.verified,
            rate_cards=_rate_cards(spec.prices, f"{path}.prices"),
        )
    return FineTune(
        base=spec.base,
        provider=spec.provider,
        aliases=tuple(spec.aliases),
        training_rate=training_rate,
        training_unit=training_unit,
        hosting_usd_per_hour=hosting,
        training_context=spec.training_context,
        source=spec.source,
        verified=spec.verified,
        model=model,
    )


def _rerankers(
    specs: Sequence[RerankerSpec], providers: dict[str, ProviderSpec]
) -> tuple[Reranker, ...]:
    _check_unique(((s.id, s.aliases) for s in specs), "rerankers")
    result = []
    for index, spec in enumerate(specs):
        path = f"rerankers[{index}]"
        _check_provider(spec.provider, providers, path)
        result.append(
            Reranker(
                id=spec.id,
                provider=spec.provider,
                aliases=tuple(spec.aliases),
                usd_per_1k_searches=_rate(spec.price, Dimension.SEARCHES, f"{path}.price"),
                documents_per_search=spec.documents_per_search,
                source=spec.source,
                verified=spec.verified,
            )
        )
    return tuple(result)


def _vector_stores(
    specs: Sequence[VectorStoreSpec], providers: dict[str, ProviderSpec]
) -> tuple[VectorStore, ...]:
    _check_unique(((s.id, s.aliases) for s in specs), "vector_stores")
    result = []
    for index, spec in enumerate(specs):
        path = f"vector_stores[{index}]"
        _check_provider(spec.provider, providers, path)
        _check_positive(spec.min_read_units_per_query, f"{path}.min_read_units_per_query")
        result.append(
            VectorStore(
                id=spec.id,
                provider=spec.provider,
                aliases=tuple(spec.aliases),
                storage_usd_per_gb_month=_rate(
                    spec.storage, Dimension.GB_MONTHS, f"{path}.storage"
                ),
                read_usd_per_1m_units=_rate(spec.reads, Dimension.READ_UNITS, f"{path}.reads"),
                write_usd_per_1m_units=_rate(spec.writes, Dimension.WRITE_UNITS, f"{path}.writes"),
                monthly_minimum_usd=_rate(
                    spec.monthly_minimum, Dimension.MONTHS, f"{path}.monthly_minimum"
                ),
                min_read_units_per_query=spec.min_read_units_per_query,
                source=spec.source,
                verified=spec.verified,
            )
        )
    return tuple(result)


def _gpus(specs: Sequence[GpuSpec]) -> tuple[Gpu, ...]:
    _check_unique(((s.id, s.aliases) for s in specs), "gpus")
    result = []
    for index, spec in enumerate(specs):
        path = f"gpus[{index}]"
        for field in ("memory_gb", "bandwidth_gb_per_s", "dense_bf16_tflops"):
            _check_positive(getattr(spec, field), f"{path}.{field}")
        defaults = [offer for offer in spec.offers if offer.default]
        if len(defaults) != 1:
            raise _Problem(f"{path}.offers", "exactly one offer must be marked default = true")
        offers = tuple(
            GpuOffer(
                provider=offer.provider,
                sku=offer.sku,
                usd_per_hour=_rate(offer.price, Dimension.HOURS, f"{path}.offers[{i}].price"),
                as_of=offer.as_of,
                region=offer.region,
                default=offer.default,
                source=offer.source,
            )
            for i, offer in enumerate(spec.offers)
        )
        fields = msgspec.structs.asdict(spec) | {"aliases": tuple(spec.aliases), "offers": offers}
        result.append(Gpu(**fields))
    return tuple(result)


def _architectures(specs: Sequence[ArchitectureSpec]) -> tuple[Architecture, ...]:
    _check_unique(((s.id, s.aliases) for s in specs), "architectures")
    result = []
    for index, spec in enumerate(specs):
        arch = Architecture(**(msgspec.structs.asdict(spec) | {"aliases": tuple(spec.aliases)}))
        counted = count_parameters(arch)
        if counted != arch.parameters:
            raise _Problem(
                f"architectures[{index}].parameters",
                f"{arch.parameters} given, the configuration has {counted}",
            )
        result.append(arch)
    return tuple(result)


def inline_rate_card(spec: RateCardSpec, path: str, service_tier: str) -> RateCard:
    """Normalize a request's inline ``rates`` with the same rules as a table row.

    Args:
        spec: The inline card.
        path: The JSON path of the card in the request, for example ``$.rates``.
        service_tier: The tier the card prices.

    Returns:
        The normalized card.

    Raises:
        InvalidInput: A unit, magnitude or tier fault, with the JSON path of the field.
    """
    try:
        return rate_card_from_spec(spec, path, service_tier)
    except _Problem as problem:
        raise InvalidInput(problem.path, problem.reason) from None
