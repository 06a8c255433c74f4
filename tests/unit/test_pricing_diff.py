"""diffPricingTables: every price of every entry, long-context tiers and units included.

Reported: the diff of the article's table (2026-03-30) and the current one listed no change for
ft:davinci-002 and only the token rates of ft:gpt-3.5-turbo, although both training prices
moved (0.60 and 0.80 USD per 1k examples became 6 and 8 USD per 1M trained tokens); a tier's
rates, rerankers, vector stores and hosting were never compared; and Azure's `ft:gpt-4.1`
overwrote OpenAI's, since both carry that id.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from pricing.catalog import Catalog
from pricing.loader import load_catalog
from pricing.views import PriceChange, RateChange, diff_tables

#: The head of every test table: its version (a format field) and one provider.
_HEAD = """
[table]
version = "{version}"
published = {version}
source = "test"
description = "test"

[[providers]]
id = "acme"
name = "Acme"
"""

_TABLE = (
    _HEAD
    + """
[[providers]]
id = "cloud"
name = "Cloud"

[[models]]
id = "acme-1"
provider = "acme"
source = "test"
verified = 2030-01-01
  [[models.prices]]
  unit = "usd_per_1m_tokens"
  input = 1.0
  output = 2.0
    [[models.prices.tiers]]
    above_input_tokens = 100000
    input = {tier_input}
    output = 4.0

[[fine_tunes]]
base = "acme-1"
provider = "acme"
training = {{ unit = "{training_unit}", rate = {training_rate} }}
source = "test"
verified = 2030-01-01
  [[fine_tunes.prices]]
  input = 3.0
  output = 6.0

[[fine_tunes]]
base = "acme-1"
provider = "cloud"
training = {{ unit = "usd_per_1m_trained_tokens", rate = 5.0 }}
hosting = {{ unit = "usd_per_hour", rate = {hosting} }}
source = "test"
verified = 2030-01-01
  [[fine_tunes.prices]]
  input = 3.0
  output = 6.0

[[rerankers]]
id = "acme-rerank"
provider = "acme"
price = {{ unit = "usd_per_1k_searches", rate = {searches} }}
documents_per_search = 100
source = "test"
verified = 2030-01-01

[[vector_stores]]
id = "acme-store"
provider = "acme"
storage = {{ unit = "usd_per_gb_month", rate = 0.33 }}
reads = {{ unit = "usd_per_1m_read_units", rate = 16 }}
writes = {{ unit = "usd_per_1m_write_units", rate = 4 }}
monthly_minimum = {{ unit = "usd_per_month", rate = {minimum} }}
min_read_units_per_query = 0.25
source = "test"
verified = 2030-01-01
"""
)

BEFORE = {
    "version": "2030-01-01",
    "tier_input": "2.0",
    "training_unit": "usd_per_1m_trained_tokens",
    "training_rate": "5.0",
    "hosting": "1.70",
    "searches": "2.0",
    "minimum": "50",
}
AFTER = {
    "version": "2030-06-01",
    "tier_input": "2.5",
    "training_unit": "usd_per_1k_examples",
    "training_rate": "0.80",
    "hosting": "1.50",
    "searches": "2.5",
    "minimum": "60",
}


def two_tables(directory: Path) -> Catalog:
    for fields in (BEFORE, AFTER):
        (directory / f"{fields['version']}.toml").write_text(_TABLE.format(**fields))
    return load_catalog(directory)


def test_tier_rates_and_every_other_price_are_compared(tmp_path: Path) -> None:
    diff = diff_tables(two_tables(tmp_path), "2030-01-01", "2030-06-01")

    # Only the tier's input rate moved (2.0 → 2.5 USD per 1M above 100,000 input tokens);
    # the base rates and the fine-tunes' token rates are the same in both tables.
    assert diff.changed == [
        RateChange(
            id="acme-1",
            service_tier="standard",
            token_class="input",
            from_rate=Decimal("2.0"),
            to_rate=Decimal("2.5"),
            above_input_tokens=100000,
        )
    ]
    assert diff.prices_changed == [
        PriceChange(
            id="acme-rerank",
            price="searches",
            from_rate=Decimal("2.0"),
            from_unit="usd_per_1k_searches",
            to_rate=Decimal("2.5"),
            to_unit="usd_per_1k_searches",
        ),
        PriceChange(
            id="acme-store",
            price="monthly_minimum",
            from_rate=Decimal("50"),
            from_unit="usd_per_month",
            to_rate=Decimal("60"),
            to_unit="usd_per_month",
        ),
        # Two providers fine-tune acme-1: each is named provider/ft:acme-1.
        PriceChange(
            id="acme/ft:acme-1",
            price="training",
            from_rate=Decimal("5.0"),
            from_unit="usd_per_1m_trained_tokens",
            to_rate=Decimal("0.80"),
            to_unit="usd_per_1k_examples",
        ),
        PriceChange(
            id="cloud/ft:acme-1",
            price="hosting",
            from_rate=Decimal("1.70"),
            from_unit="usd_per_hour",
            to_rate=Decimal("1.50"),
            to_unit="usd_per_hour",
        ),
    ]
    assert (diff.added, diff.removed) == ([], [])


def test_the_shipped_tables_show_both_training_price_changes(catalog: Catalog) -> None:
    diff = diff_tables(catalog, "2026-03-30", "2026-12-01")

    # The article: GPT-3.5 $0.80 and Davinci $0.60 per 1k examples; the current table:
    # $8.00 and $6.00 per 1M trained tokens (pricing/tables/2026-12-01.toml).
    training = {(c.id, c.from_rate, c.from_unit, c.to_rate, c.to_unit) for c in diff.prices_changed}
    assert training == {
        ("ft:gpt-3.5-turbo", Decimal("0.8"), "usd_per_1k_examples", 8, "usd_per_1m_trained_tokens"),
        ("ft:davinci-002", Decimal("0.6"), "usd_per_1k_examples", 6, "usd_per_1m_trained_tokens"),
    }
    # The blended $0.012 per 1k tokens ($12 per 1M) of GPT-3.5 became $3 in / $6 out.
    assert {(c.id, c.token_class, c.from_rate, c.to_rate) for c in diff.changed} == {
        ("ft:gpt-3.5-turbo", "input", 12, 3),
        ("ft:gpt-3.5-turbo", "output", 12, 6),
    }
    assert diff.removed == ["ft:gpt-4"]
    # OpenAI and Azure both price ft:gpt-4.1: both are listed, each under its provider.
    assert {"openai/ft:gpt-4.1", "azure/ft:gpt-4.1", "rerank-v3.5"} <= set(diff.added)
    assert "pinecone-serverless-standard" in diff.added


_GPU_TABLE = (
    _HEAD
    + """
[[models]]
id = "acme-1"
provider = "acme"
source = "test"
verified = 2030-01-01
  [[models.prices]]
  input = 1.0
  output = 2.0

[[gpus]]
id = "gpu-x"
name = "GPU X"
memory_gb = 80
bandwidth_gb_per_s = 3350
dense_bf16_tflops = 989.4
source = "test"
verified = 2030-01-01
  [[gpus.offers]]
  provider = "cloud-a"
  sku = "x1"
  price = {{ unit = "usd_per_hour", rate = {default_rate} }}
  as_of = 2030-01-01
  default = true
  source = "test"
  [[gpus.offers]]
  provider = "cloud-b"
  sku = "x1"
  price = {{ unit = "usd_per_hour", rate = 1.00 }}
  as_of = 2030-01-01
  source = "test"
{more}
"""
)

_GPU_Y = """
[[gpus]]
id = "gpu-y"
name = "GPU Y"
memory_gb = 24
bandwidth_gb_per_s = 600
dense_bf16_tflops = 120
source = "test"
verified = 2030-01-01
  [[gpus.offers]]
  provider = "cloud-a"
  sku = "y1"
  price = { unit = "usd_per_hour", rate = 0.80 }
  as_of = 2030-01-01
  default = true
  source = "test"
"""


def test_a_gpu_hour_price_that_moved_is_a_change(tmp_path: Path) -> None:
    # Reported: the diff compared no GPU at all, so a cut of the GPU-hour price that serving
    # and self-hosted training bill (the default offer: 6.88 → 5.50 USD per hour) read as
    # "unchanged", and a GPU new to the table was not "added".
    for version, rate, more in (("2030-01-01", "6.88", ""), ("2030-06-01", "5.50", _GPU_Y)):
        (tmp_path / f"{version}.toml").write_text(
            _GPU_TABLE.format(version=version, default_rate=rate, more=more)
        )
    diff = diff_tables(load_catalog(tmp_path), "2030-01-01", "2030-06-01")
    # The default offer is cloud-a x1: its move shows as the default (offer null) and as that
    # named offer, since a request may name it with gpu_provider too.
    assert diff.prices_changed == [
        PriceChange(
            id="gpu-x",
            price="gpu_hour",
            offer=offer,
            from_rate=Decimal("6.88"),
            from_unit="usd_per_hour",
            to_rate=Decimal("5.50"),
            to_unit="usd_per_hour",
        )
        for offer in (None, "cloud-a x1")
    ]
    assert (diff.added, diff.removed, diff.changed) == (["gpu-y"], [], [])


def test_a_named_offer_that_moved_or_appeared_is_a_change(tmp_path: Path) -> None:
    # Reported: a serving estimate with gpu_provider "cloud-b" billed 1.00 USD per GPU-hour on
    # one table and 0.75 on the next, yet the diff said nothing changed, because only each
    # GPU's default offer was compared. An offer new to a table was not reported either.
    old = _GPU_TABLE.format(version="2030-01-01", default_rate="6.88", more="")
    new = _GPU_TABLE.format(version="2030-06-01", default_rate="6.88", more="").replace(
        "rate = 1.00 }", "rate = 0.75 }"
    )
    # Appended after gpu-x's offers, the table's last entry, so it is one more gpu-x offer.
    new += (
        "  [[gpus.offers]]\n"
        '  provider = "cloud-c"\n'
        '  sku = "x9"\n'
        '  price = { unit = "usd_per_hour", rate = 2.25 }\n'
        "  as_of = 2030-06-01\n"
        '  source = "test"\n'
    )
    (tmp_path / "2030-01-01.toml").write_text(old)
    (tmp_path / "2030-06-01.toml").write_text(new)
    diff = diff_tables(load_catalog(tmp_path), "2030-01-01", "2030-06-01")
    hour = "usd_per_hour"
    assert diff.prices_changed == [
        # cloud-b's own price, 1.00 -> 0.75 USD per hour, as the two tables write it.
        PriceChange(
            id="gpu-x",
            price="gpu_hour",
            offer="cloud-b x1",
            from_rate=Decimal("1.00"),
            from_unit=hour,
            to_rate=Decimal("0.75"),
            to_unit=hour,
        ),
        # cloud-c is offered only in the newer table, at 2.25: unpriced before.
        PriceChange(
            id="gpu-x",
            price="gpu_hour",
            offer="cloud-c x9",
            from_rate=None,
            from_unit=None,
            to_rate=Decimal("2.25"),
            to_unit=hour,
        ),
    ]
    assert (diff.added, diff.removed, diff.changed) == ([], [], [])


def test_the_shipped_gpus_are_added_since_the_articles_table(catalog: Catalog) -> None:
    # The article's table has no GPU; the current ones price six at their default offers.
    diff = diff_tables(catalog, "2026-03-30", "2026-12-01")
    gpus = {"a100-40gb", "a100-80gb", "a10g", "h100-sxm", "h200", "l4"}
    assert gpus <= set(diff.added)
