"""Bounded metric labels, buffered metrics that add up, ops settings and the start path."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from pricing.catalog import Catalog
from service.__main__ import MULTIPROC_ENV, prepare_metrics_dir
from service.app import create_app
from service.metrics import Recorder
from service.settings import Settings, SettingsError


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_unknown_methods_fold_into_other_and_statuses_into_classes() -> None:
    recorder = Recorder()
    before = sample("spendcast_http_requests_total", route="/x", method="other", status_class="4xx")
    recorder.request("/x", "BREW", 418, 0.001)
    recorder.request("/x", "PROPFIND", 405, 0.001)
    recorder.flush()
    after = sample("spendcast_http_requests_total", route="/x", method="other", status_class="4xx")
    assert after - before == 2
    assert (
        sample("spendcast_http_requests_total", route="/x", method="BREW", status_class="4xx") == 0
    )


def test_monthly_spend_lands_in_its_bucket() -> None:
    # $4,200 a month: above the 3,000 bucket, inside the 10,000 one.
    recorder = Recorder()
    name = "spendcast_estimated_monthly_usd_bucket"
    below = sample(name, kind="test-kind", le="3000.0")
    inside = sample(name, kind="test-kind", le="10000.0")
    recorder.estimate("test-kind", 4200.0)
    recorder.flush()
    assert sample(name, kind="test-kind", le="3000.0") == below
    assert sample(name, kind="test-kind", le="10000.0") == inside + 1
    assert sample("spendcast_estimates_total", kind="test-kind") >= 1


def test_estimates_without_monthly_spend_are_counted_not_observed() -> None:
    recorder = Recorder()
    recorder.estimate("count-only", None)
    recorder.flush()
    assert sample("spendcast_estimates_total", kind="count-only") == 1
    assert sample("spendcast_estimated_monthly_usd_count", kind="count-only") == 0


def test_buffered_durations_equal_observing_each_one() -> None:
    # Prometheus buckets are "less than or equal": 0.001 falls in le=0.001, 11 s only in +Inf.
    recorder = Recorder()
    for seconds in (0.0002, 0.001, 0.0011, 0.003, 11.0):
        recorder.request("/buffered", "GET", 200, seconds)
    labels = {"route": "/buffered", "method": "GET"}
    bucket = "spendcast_http_request_duration_seconds_bucket"
    assert sample(bucket, le="0.001", **labels) == 0  # nothing until the flush
    recorder.flush()
    expected = {"0.0005": 1, "0.001": 2, "0.0025": 3, "0.005": 4, "10.0": 4, "+Inf": 5}
    for le, count in expected.items():
        assert sample(bucket, le=le, **labels) == count, le
    assert sample("spendcast_http_request_duration_seconds_count", **labels) == 5
    total = sample("spendcast_http_request_duration_seconds_sum", **labels)
    assert total == pytest.approx(0.0002 + 0.001 + 0.0011 + 0.003 + 11.0)
    recorder.flush()  # a second flush adds nothing
    assert sample("spendcast_http_request_duration_seconds_count", **labels) == 5


def test_several_apps_in_one_process_share_the_metrics(catalog: Catalog) -> None:
    # Building an app twice must not register a series twice ("Duplicated timeseries").
    for build in ("one", "two"):
        create_app(Settings(log_level="WARNING", build_version=build), catalog)
    assert sample("spendcast_build_info", version="one", service_version="0.1.0") == 1
    assert sample("spendcast_build_info", version="two", service_version="0.1.0") == 1


def test_cache_policy_setting_is_validated() -> None:
    settings = Settings.from_env({"SPENDCAST_CACHE_POLICY": " usage=redis "})
    assert settings.cache_overrides() == {"usage": "redis"}
    for bad in ("usage=disk", "nosuchkind=local", "usage"):
        with pytest.raises(SettingsError, match="SPENDCAST_CACHE_POLICY"):
            Settings.from_env({"SPENDCAST_CACHE_POLICY": bad})


def test_redis_url_needs_a_redis_scheme() -> None:
    assert Settings.from_env({"SPENDCAST_REDIS_URL": "rediss://cache:6380/1"}).redis_url
    with pytest.raises(SettingsError, match="SPENDCAST_REDIS_URL"):
        Settings.from_env({"SPENDCAST_REDIS_URL": "http://cache:6379"})


def test_one_worker_keeps_metrics_in_memory() -> None:
    environ: dict[str, str] = {}
    assert prepare_metrics_dir(Settings(workers=1), environ) is None
    assert MULTIPROC_ENV not in environ


def test_several_workers_get_a_fresh_directory() -> None:
    environ: dict[str, str] = {}
    directory = prepare_metrics_dir(Settings(workers=2), environ)
    assert directory is not None
    assert environ[MULTIPROC_ENV] == directory
    assert Path(directory).is_dir()
    assert not list(Path(directory).iterdir())
    Path(directory).rmdir()


def test_an_operators_directory_is_wiped_of_old_files(tmp_path: Path) -> None:
    (tmp_path / "counter_123.db").write_bytes(b"old")
    (tmp_path / "keep.txt").write_text("not ours")
    environ = {MULTIPROC_ENV: str(tmp_path)}
    assert prepare_metrics_dir(Settings(workers=1), environ) == str(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.txt"]


def test_a_misspelt_setting_names_the_one_meant() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"SPENDCAST_PORTT": "8080"})
    assert str(caught.value) == (
        "SPENDCAST_PORTT is not a setting of spendcast (did you mean SPENDCAST_PORT?)"
    )


def test_an_invalid_enumerated_setting_lists_its_values() -> None:
    # Reported: "SPENDCAST_LOG_FORMAT: Invalid enum value 'text'" and nothing more.
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"SPENDCAST_LOG_FORMAT": "text"})
    assert str(caught.value).endswith("Invalid enum value 'text'; one of: auto, console, json")
