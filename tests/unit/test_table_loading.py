"""A bad table file stops the load with the file, the path inside it and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from pricing.errors import TableLoadError
from pricing.loader import load_catalog, load_table

GOOD = """
[table]
version = "2030-01-01"
published = 2030-01-01
source = "test"
description = "test"

[[providers]]
id = "acme"
name = "Acme"

[[models]]
id = "acme-1"
provider = "acme"
source = "test"
verified = 2030-01-01
  [[models.prices]]
  unit = "usd_per_1m_tokens"
  input = 1.0
  output = 2.0
"""


def write(tmp_path: Path, text: str, name: str = "2030-01-01.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def load_error(tmp_path: Path, text: str) -> TableLoadError:
    path = write(tmp_path, text)
    with pytest.raises(TableLoadError) as caught:
        load_table(path)
    assert caught.value.file == str(path)
    return caught.value


def test_good_table_loads(tmp_path: Path) -> None:
    table = load_table(write(tmp_path, GOOD))
    model, match = table.resolve_model("acme/acme-1")
    assert match.matched_by == "provider_prefix"
    assert model.rate_cards[0].rates.output == 2


def test_wrong_unit(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD.replace('"usd_per_1m_tokens"', '"usd_per_token"'))
    assert error.path == "models[0].prices[0].unit"
    assert "unknown unit" in error.reason


def test_unit_of_another_dimension(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD.replace('"usd_per_1m_tokens"', '"usd_per_hour"'))
    assert error.path == "models[0].prices[0].unit"
    assert "prices hours" in error.reason


def test_rate_outside_plausible_band(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD.replace("input = 1.0", "input = 15000"))
    assert error.path == "models[0].prices[0].input"
    assert "plausible maximum" in error.reason


def test_per_1k_rate_outside_band_after_conversion(tmp_path: Path) -> None:
    text = GOOD.replace('"usd_per_1m_tokens"', '"usd_per_1k_tokens"').replace(
        "input = 1.0", "input = 3.2"
    )
    error = load_error(tmp_path, text)
    assert "3200" in error.reason


def test_rate_finer_than_output_precision(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD.replace("input = 1.0", "input = 0.00000000005"))
    assert error.path == "models[0].prices[0].input"
    assert "10 decimal places" in error.reason


def test_negative_rate(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD.replace("output = 2.0", "output = -2.0"))
    assert error.path == "models[0].prices[0].output"


def test_missing_field(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD.replace("verified = 2030-01-01\n", ""))
    assert error.path == "models[0]"
    assert "verified" in error.reason


def test_unknown_field(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD.replace("output = 2.0", "outptu = 2.0"))
    assert error.path == "models[0].prices[0]"
    assert "outptu" in error.reason


def test_duplicate_id(tmp_path: Path) -> None:
    second = GOOD[GOOD.index("[[models]]") :]
    error = load_error(tmp_path, GOOD + second)
    assert error.path == "models[1]"
    assert "duplicate" in error.reason


def test_alias_colliding_with_another_id(tmp_path: Path) -> None:
    second = GOOD[GOOD.index("[[models]]") :].replace('"acme-1"', '"acme-2"\naliases = ["ACME-1"]')
    error = load_error(tmp_path, GOOD + second)
    assert "duplicate" in error.reason


def test_two_rows_starting_the_same_day(tmp_path: Path) -> None:
    row = GOOD[GOOD.index("  [[models.prices]]") :]
    error = load_error(tmp_path, GOOD + row)
    assert error.path.startswith("models[0].prices[")
    assert "same day" in error.reason


def test_version_must_match_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, "2030-02-02.toml")
    with pytest.raises(TableLoadError) as caught:
        load_table(path)
    assert caught.value.path == "table.version"


def test_not_toml(tmp_path: Path) -> None:
    error = load_error(tmp_path, "[table\nversion=")
    assert "TOML" in error.reason


def test_unknown_provider(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD.replace('provider = "acme"', 'provider = "nobody"'))
    assert error.path == "models[0].provider"


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(TableLoadError):
        load_catalog(tmp_path)


LLAMA_2_7B = """
[[architectures]]
id = "llama-2-7b"
name = "Llama 2 7B"
parameters = 6738415616
layers = 32
hidden_size = 4096
intermediate_size = 11008
attention_heads = 32
kv_heads = 32
head_dim = 128
vocab_size = 32000
tied_embeddings = false
context_length = 4096
source = "test"
"""


def test_parameter_count_is_recomputed_and_checked(tmp_path: Path) -> None:
    table = load_table(write(tmp_path, GOOD + LLAMA_2_7B))
    assert table.resolve_architecture("llama-2-7b").parameters == 6_738_415_616

    error = load_error(tmp_path, GOOD + LLAMA_2_7B.replace("6738415616", "7000000000"))
    assert error.path == "architectures[0].parameters"
    assert "6738415616" in error.reason


GPU = """
[[gpus]]
id = "h100-sxm"
name = "H100 SXM"
memory_gb = 80
bandwidth_gb_per_s = 3350
dense_bf16_tflops = 989.4
source = "test"
verified = 2030-01-01
  [[gpus.offers]]
  provider = "aws"
  sku = "p5"
  price = { unit = "usd_per_hour", rate = 6.88 }
  as_of = 2030-01-01
  default = true
  source = "test"
"""


def test_gpu_needs_exactly_one_default_offer(tmp_path: Path) -> None:
    assert load_table(write(tmp_path, GOOD + GPU)).resolve_gpu("H100-SXM").memory_gb == 80
    error = load_error(tmp_path, GOOD + GPU.replace("default = true", "default = false"))
    assert error.path == "gpus[0].offers"


def test_gpu_hourly_price_outside_band(tmp_path: Path) -> None:
    error = load_error(tmp_path, GOOD + GPU.replace("rate = 6.88", "rate = 6880"))
    assert error.path == "gpus[0].offers[0].price.rate"


def test_a_missing_tables_directory_is_named_so(tmp_path: Path) -> None:
    # Reported: SPENDCAST_TABLES_DIR pointing at a typo stopped the start with
    # "<dir>: : no *.toml table files found" (an empty path between two colons).
    missing = tmp_path / "tabels"
    with pytest.raises(TableLoadError) as caught:
        load_catalog(missing)
    assert str(caught.value) == f"{missing}: no such directory"


def test_an_empty_tables_directory_says_no_table_files(tmp_path: Path) -> None:
    with pytest.raises(TableLoadError) as caught:
        load_catalog(tmp_path)
    assert str(caught.value) == f"{tmp_path}: no *.toml table files found"
