"""A real Prometheus scrapes a real spendcast (2 workers, multiprocess metrics) and answers every
dashboard panel query and every alert expression (DESIGN §6).

The server is started as in production (``python -m service``), with a Redis of its own so the
cache panels see both layers. Prometheus loads the committed scrape config (target and interval
adjusted) and the committed alert rules.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from loadtests.processes import (
    ROOT,
    Service,
    free_port,
    http_ok,
    redis_server,
    running_service,
    stop,
    wait_until,
)
from service.routes.estimates import load_example

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DEPLOY = ROOT / "deploy"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "spendcast.json"
RULES = DEPLOY / "prometheus" / "rules.yml"
SCRAPE_CONFIG = DEPLOY / "prometheus" / "prometheus.yml"
RATE_WINDOW = "10s"  # stands in for Grafana's $__rate_interval (4 × the 1 s test scrape)

GOOD = {
    "model": "ft:gpt-3.5-turbo",
    "pricing_version": "2026-03-30",
    "usage": {"input_tokens": 1000, "output_tokens": 500},
}


def post(base_url: str, path: str, body: dict[str, Any]) -> int:
    request = urllib.request.Request(
        base_url + path, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


DRIVEN = 'sum(spendcast_http_requests_total{route=~"/v1/.*|unmatched"})'
DRIVEN_COUNT = 42  # the requests drive() sends
AGENT = load_example("estimateAgent")


def drive(base_url: str) -> None:
    """A mix of answers: computed and cached estimates, 404s, 422s, unknown paths (42)."""
    for index in range(30):
        body = {**GOOD, "usage": {"input_tokens": 1000 + index % 10, "output_tokens": 500}}
        assert post(base_url, "/v1/estimates/usage", body) == 200
    for tasks in (100, 1000, 10_000):  # workload estimates feed the monthly-spend histogram
        body = {**AGENT["request"], "tasks_per_month": tasks}
        assert post(base_url, AGENT["path"], body) == 200
    for _ in range(3):
        assert post(base_url, "/v1/estimates/usage", {**GOOD, "model": "ft:nope"}) == 404
        bad = {**GOOD, "usage": {"input_tokens": 1, "cache_read_tokens": 5}}
        assert post(base_url, "/v1/estimates/usage", bad) == 422
        assert get(base_url + "/wp-login.php")[0] == 404


class Prometheus:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"

    def api(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode(params)
        status, raw = get(f"{self.url}/api/v1/{path}?{query}")
        answer = json.loads(raw)
        assert status == 200 and answer["status"] == "success", (path, params, answer)
        return answer["data"]

    def query(self, expr: str) -> list[dict[str, Any]]:
        return self.api("query", query=expr)["result"]


def require(binary: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.fail(f"{binary} is not installed (.ci/run installs it)")
    return path


@pytest.fixture(name="stack", scope="module")
def fixture_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Prometheus]]:
    require("redis-server")
    prometheus_binary = require("prometheus")
    workdir = tmp_path_factory.mktemp("prometheus")
    metrics_dir = workdir / "multiproc"
    settings = {
        "SPENDCAST_WORKERS": "2",
        "SPENDCAST_CACHE_POLICY": "usage=redis",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "SPENDCAST_BUILD_VERSION": "prometheus-test",
    }
    with (
        redis_server() as redis,
        running_service(
            {**settings, "SPENDCAST_REDIS_URL": redis.url}, workdir / "spendcast.log"
        ) as service,
    ):
        port = free_port()
        config_path = workdir / "prometheus.yml"
        config_path.write_text(yaml.safe_dump(test_config(service.port)))
        with (workdir / "prometheus.log").open("wb") as log:  # Popen keeps its own copy
            process = subprocess.Popen(
                [
                    prometheus_binary,
                    f"--config.file={config_path}",
                    f"--storage.tsdb.path={workdir / 'data'}",
                    f"--web.listen-address=127.0.0.1:{port}",
                ],
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        try:
            prometheus = Prometheus(port)
            wait_until(lambda: http_ok(prometheus.url + "/-/ready"), 30, "prometheus")
            wait_until(lambda: bool(prometheus.query('up{job="spendcast"} == 1')), 15, "scrape")
            drive(service.base_url)
            wait_for_rates(prometheus)
            yield service, prometheus
        finally:
            stop(process)
    # The server has stopped: every worker released its live gauges at shutdown.
    assert not list(metrics_dir.glob("gauge_live*_*.db"))


def test_config(spendcast_port: int) -> dict[str, Any]:
    """The committed config with a 1 s interval, our target and the rules by absolute path."""
    config = yaml.safe_load(SCRAPE_CONFIG.read_text())
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    config["rule_files"] = [str(RULES)]
    (job,) = config["scrape_configs"]
    job["static_configs"] = [{"targets": [f"127.0.0.1:{spendcast_port}"]}]
    job["scrape_timeout"] = "1s"
    return config


test_config.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


def wait_for_rates(prometheus: Prometheus) -> None:
    # Workers add their counts every second; wait until a scrape holds all of them.
    def scraped() -> bool:
        result = prometheus.query(DRIVEN)
        return bool(result) and float(result[0]["value"][1]) == DRIVEN_COUNT

    wait_until(scraped, 20, "the driven requests")
    expr = f"sum(rate(spendcast_http_requests_total[{RATE_WINDOW}])) > 0"
    wait_until(lambda: bool(prometheus.query(expr)), 20, "a request rate")


def grafana_to_promql(expr: str) -> str:
    return expr.replace("$__rate_interval", RATE_WINDOW).replace("$job", "spendcast")


def dashboard_targets() -> Iterator[tuple[str, str, str]]:
    """(row title, panel title, expression) for every query of the dashboard."""
    row = ""
    for panel in json.loads(DASHBOARD.read_text())["panels"]:
        if panel["type"] == "row":
            row = panel["title"]
        for target in panel.get("targets", []):
            yield row, panel["title"], target["expr"]


def alert_expressions() -> Iterator[tuple[str, str]]:
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            yield rule["alert"], rule["expr"]


def test_every_panel_query_is_valid_and_traffic_and_estimate_panels_have_data(
    stack: tuple[Service, Prometheus],
) -> None:
    _, prometheus = stack

    def empty_panels() -> list[str]:
        empty = []
        for row, title, expr in dashboard_targets():
            result = prometheus.query(grafana_to_promql(expr))  # asserts Prometheus accepts it
            if row in {"Traffic", "Estimates"} and not result:
                empty.append(title)
        return empty

    # A rate needs two scrapes of its series; a series first written by the last flush of a
    # worker has one until the next scrape, a second later.
    try:
        wait_until(lambda: not empty_panels(), 10, "data in every traffic and estimate panel")
    except TimeoutError:
        assert not empty_panels()


def test_cache_and_estimate_panels_see_the_driven_traffic(
    stack: tuple[Service, Prometheus],
) -> None:
    _, prometheus = stack
    window = RATE_WINDOW
    lookups = prometheus.query("sum by (layer) (increase(spendcast_cache_lookups_total[1h]))")
    assert {series["metric"]["layer"] for series in lookups} == {"local", "redis"}
    estimates = prometheus.query("sum(spendcast_estimates_total)")
    # 33 estimates answered by two workers: the scrape sums both (multiprocess mode).
    assert float(estimates[0]["value"][1]) == 33
    monthly = prometheus.query('sum(spendcast_estimated_monthly_usd_count{kind="agent"})')
    assert float(monthly[0]["value"][1]) == 3
    by_class = prometheus.query("sum by (status_class) (spendcast_http_requests_total)")
    classes = {series["metric"]["status_class"] for series in by_class}
    assert {"2xx", "4xx"} <= classes
    routes = prometheus.query(f"sum by (route) (rate(spendcast_http_requests_total[{window}]))")
    assert "unmatched" in {series["metric"]["route"] for series in routes}
    assert not any("wp-login" in series["metric"]["route"] for series in routes)


def test_info_metrics_are_one_series_per_value_across_workers(
    stack: tuple[Service, Prometheus],
) -> None:
    _, prometheus = stack
    build = prometheus.query('spendcast_build_info{version="prometheus-test"}')
    assert len(build) == 1
    assert float(build[0]["value"][1]) == 1
    assert prometheus.query('spendcast_pricing_info{version="2026-03-30"}')


def test_every_alert_expression_is_valid_and_the_rules_load(
    stack: tuple[Service, Prometheus],
) -> None:
    _, prometheus = stack
    for _, expr in alert_expressions():
        prometheus.query(expr)
    loaded = {
        rule["name"]: rule for group in prometheus.api("rules")["groups"] for rule in group["rules"]
    }
    assert set(loaded) == {name for name, _ in alert_expressions()}
    wait_until(
        lambda: all(rule.get("lastEvaluation", "").startswith("2") for rule in rules(prometheus)),
        10,
        "rule evaluation",
    )
    assert all(rule["health"] == "ok" for rule in rules(prometheus))


def rules(prometheus: Prometheus) -> list[dict[str, Any]]:
    return [rule for group in prometheus.api("rules")["groups"] for rule in group["rules"]]


def test_the_job_variable_finds_the_target(stack: tuple[Service, Prometheus]) -> None:
    _, prometheus = stack
    jobs = prometheus.api("label/job/values", **{"match[]": "spendcast_build_info"})
    assert jobs == ["spendcast"]


def test_promtool_finds_no_naming_problem_in_the_exposition(
    stack: tuple[Service, Prometheus],
) -> None:
    service, _ = stack
    status, exposition = get(service.base_url + "/metrics")
    assert status == 200
    assert re.search(rb"^spendcast_http_requests_total\{", exposition, re.MULTILINE)
    checked = subprocess.run(
        [require("promtool"), "check", "metrics"], input=exposition, capture_output=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert not checked.stdout.strip(), checked.stdout
    assert not checked.stderr.strip(), checked.stderr
