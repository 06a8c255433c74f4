"""The article's reference knowledge loads as data; a bad file stops with the file and the path."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from pricing.catalog import Catalog
from pricing.errors import TableLoadError
from pricing.knowledge import REFERENCE_DIR, load_library, load_reference, shipped_library

SHIPPED = (REFERENCE_DIR / "2026-03-30.toml").read_text()


def test_cost_bands_are_the_articles_as_numbers() -> None:
    # The article's "Solution Comparison" table: $2k-30k+, $50-500/mo, $10-100/mo, $200-2k/mo.
    document = shipped_library().get("2026-03-30")
    bands = {
        a.id: (a.cost_band.low_usd, a.cost_band.high_usd, a.cost_band.recurrence)
        for a in document.approaches
    }
    assert bands == {
        "fine_tuning": (Decimal(2000), Decimal(30000), "one_time"),
        "rag": (Decimal(50), Decimal(500), "monthly"),
        "prompt_engineering": (Decimal(10), Decimal(100), "monthly"),
        "agents": (Decimal(200), Decimal(2000), "monthly"),
    }
    assert document.approach("fine_tuning").cost_band.open_ended
    assert not document.approach("agents").cost_band.open_ended


def test_qualitative_columns() -> None:
    document = shipped_library().get("2026-03-30")
    columns = {a.id: (a.latency, a.accuracy, a.maintenance) for a in document.approaches}
    assert columns["fine_tuning"] == ("low", "high", "high")
    assert columns["agents"] == ("very_high", "variable", "medium")
    assert document.approach("rag").setup_time.low == 2
    assert document.approach("rag").setup_time.high == 5
    assert document.approach("rag").setup_time.unit == "days"


def test_dataset_requirements_per_task_type() -> None:
    # The article's "Dataset Requirements" table.
    document = shipped_library().get("2026-03-30")
    got = {
        r.task_type: (r.min_examples, r.counted_per, r.required_keys)
        for r in document.dataset_requirements
    }
    assert got == {
        "classification": (1000, "class", ["input", "label"]),
        "generation": (5000, "pair", ["prompt", "completion"]),
        "style_transfer": (2000, "pair", ["source", "target"]),
        "qa": (3000, "pair", ["question", "answer"]),
    }
    assert document.requirement("generation").accepts_chat_messages
    assert not document.requirement("qa").accepts_chat_messages


def test_failure_modes_and_red_flags_have_stable_codes() -> None:
    document = shipped_library().get("2026-03-30")
    assert {(m.approach, m.code) for m in document.failure_modes} == {
        ("fine_tuning", "catastrophic_forgetting"),
        ("rag", "hallucinated_citations"),
        ("prompt_engineering", "context_overflow"),
        ("agents", "infinite_loops"),
    }
    assert len(document.red_flags) == 6
    assert document.metric("ROUGE").automated
    assert not document.metric("human_eval").automated


def write(tmp_path: Path, text: str, name: str = "2026-03-30.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def load_error(tmp_path: Path, text: str, name: str = "2026-03-30.toml") -> TableLoadError:
    path = write(tmp_path, text, name)
    with pytest.raises(TableLoadError) as caught:
        load_reference(path)
    assert caught.value.file == str(path)
    return caught.value


def test_unknown_field_names_the_path(tmp_path: Path) -> None:
    error = load_error(tmp_path, SHIPPED.replace('latency = "medium"', 'latencyy = "medium"', 1))
    assert error.path == "approaches[1]"
    assert "latencyy" in error.reason


def test_bad_enum_value_names_the_path(tmp_path: Path) -> None:
    error = load_error(tmp_path, SHIPPED.replace('counted_per = "class"', 'counted_per = "row"'))
    assert error.path == "dataset_requirements[0].counted_per"


def test_missing_approach(tmp_path: Path) -> None:
    text = SHIPPED.replace('id = "agents"', 'id = "rag"')
    error = load_error(tmp_path, text)
    assert error.path == "approaches[3]"
    assert "duplicate 'rag'" in error.reason


def test_band_upside_down(tmp_path: Path) -> None:
    error = load_error(tmp_path, SHIPPED.replace("low_usd = 50,", "low_usd = 5000,"))
    assert error.path == "approaches[1].cost_band"


def test_duplicate_red_flag_code(tmp_path: Path) -> None:
    text = SHIPPED.replace('code = "no_automated_evaluation"', 'code = "missing_held_out_test_set"')
    error = load_error(tmp_path, text)
    assert error.path == "red_flags[5]"


def test_version_must_match_file_name(tmp_path: Path) -> None:
    error = load_error(tmp_path, SHIPPED, name="2027-01-01.toml")
    assert error.path == "reference.version"


def test_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(TableLoadError):
        load_library(tmp_path)


def test_table_naming_an_unknown_reference_stops(catalog: Catalog) -> None:
    table = catalog.get("2026-03-30")
    broken = Catalog([type(table)(**{**_fields(table), "reference": "2001-01-01"})])
    with pytest.raises(TableLoadError) as caught:
        shipped_library().check_catalog(broken)
    assert caught.value.file == table.file_name
    assert caught.value.path == "table.reference"


def test_table_without_reference_uses_the_newest(catalog: Catalog) -> None:
    table = catalog.get("2026-03-30")
    bare = type(table)(**{**_fields(table), "reference": None})
    assert shipped_library().for_table(bare).version == shipped_library().latest_version


def _fields(table: object) -> dict[str, object]:
    return {name: getattr(table, name) for name in table.__struct_fields__}
