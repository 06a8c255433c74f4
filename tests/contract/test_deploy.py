"""deploy/ holds what operators run: manifests that validate offline, a dashboard and rules that
only use catalogued metrics, a slim non-root image, and settings the service accepts (DESIGN §6).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from service import metrics
from service.__main__ import GRACEFUL_SHUTDOWN_SECONDS
from service.settings import Settings
from tests.contract import images

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
DASHBOARD = DEPLOY / "grafana" / "dashboards" / "spendcast.json"
RULES = DEPLOY / "prometheus" / "rules.yml"
CATALOG = DEPLOY / "metrics-catalog.yaml"
#: Oldest Kubernetes release the manifests must suit, and the newest the validator bundles.
KUBERNETES_VERSIONS = ("1.29.0", kubernetes_validate.utils.latest_version() + ".0")
SERIES_SUFFIXES = ("_bucket", "_sum", "_count")


def manifests() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml.safe_load_all(path.read_text()):
            yield f"{path.name}:{document['kind']}/{document['metadata']['name']}", document


def by_kind(kind: str) -> list[dict[str, Any]]:
    return [document for _, document in manifests() if document["kind"] == kind]


def catalog() -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in yaml.safe_load(CATALOG.read_text())["metrics"]}


def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())


def panels() -> Iterator[dict[str, Any]]:
    return (panel for panel in dashboard()["panels"] if panel["type"] != "row")


def alerts() -> dict[str, str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}


def metric_names(expr: str) -> set[str]:
    """Catalogue names a PromQL expression reads (histogram series folded to their family)."""
    names = set(re.findall(r"\b(spendcast_[a-z_]+|up)\b", expr))
    folded = set()
    for name in names:
        for suffix in SERIES_SUFFIXES:
            if name.endswith(suffix) and name.removesuffix(suffix) in catalog():
                name = name.removesuffix(suffix)
        folded.add(name)
    return folded


# Kubernetes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_validates_strictly_offline(version: str) -> None:
    found = list(manifests())
    assert {document["kind"] for _, document in found} >= {
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    }
    for name, document in found:
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{name} is invalid for Kubernetes {version}: {error}")


def test_the_validator_rejects_a_broken_manifest() -> None:
    # The check above must be able to fail: a misspelt field and a wrong type are refused.
    deployment = copy.deepcopy(api_deployment())
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["periodSecond"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)
    deployment = copy.deepcopy(api_deployment())
    deployment["spec"]["replicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


def test_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(
        path.name for path in K8S.glob("*.yaml") if path.name != "kustomization.yaml"
    )


def api_deployment() -> dict[str, Any]:
    (deployment,) = [d for d in by_kind("Deployment") if d["metadata"]["name"] == "spendcast"]
    return deployment


def test_probes_are_split_and_the_drain_outlasts_readiness() -> None:
    pod = api_deployment()["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"

    readiness = container["readinessProbe"]
    unready_after = readiness["periodSeconds"] * readiness["failureThreshold"]
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pre_stop_seconds = int(command[1])
    assert pre_stop_seconds > unready_after

    drain_seconds = float(configmap_settings().drain_seconds)
    needed = pre_stop_seconds + GRACEFUL_SHUTDOWN_SECONDS + drain_seconds
    assert pod["terminationGracePeriodSeconds"] > needed


def test_containers_have_resources_and_run_unprivileged() -> None:
    for deployment in by_kind("Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod["containers"]:
            assert {"cpu", "memory"} <= set(container["resources"]["requests"])
            assert "memory" in container["resources"]["limits"]
            assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_autoscaler_and_budget_target_the_api() -> None:
    (hpa,) = by_kind("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "spendcast"
    assert hpa["spec"]["minReplicas"] >= 2
    (budget,) = by_kind("PodDisruptionBudget")
    labels = api_deployment()["spec"]["template"]["metadata"]["labels"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()


def configmap_settings() -> Settings:
    (configmap,) = by_kind("ConfigMap")
    return Settings.from_env(configmap["data"])


def test_configmap_holds_valid_settings_with_redis_as_the_shared_cache() -> None:
    settings = configmap_settings()  # raises on an unknown or invalid variable
    assert settings.redis_url is not None
    assert settings.host == "0.0.0.0"
    service_names = {service["metadata"]["name"] for service in by_kind("Service")}
    assert settings.redis_url.split("//")[1].split(":")[0] in service_names


# Dashboard, rules and the metric catalogue ---------------------------------------------------


def test_dashboard_has_a_stable_uid_and_a_datasource_variable() -> None:
    board = dashboard()
    assert board["uid"] == "spendcast-overview"
    variables = {variable["name"]: variable for variable in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    for panel in panels():
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]


def test_dashboard_rows_cover_traffic_latency_errors_cache_and_estimates() -> None:
    rows = [panel["title"] for panel in dashboard()["panels"] if panel["type"] == "row"]
    assert rows == ["Traffic", "Latency", "Errors", "Cache", "Estimates"]


def test_rate_windows_follow_the_scrape_interval() -> None:
    for panel in panels():
        for target in panel["targets"]:
            windows = re.findall(r"\[([^\]]+)\]", target["expr"])
            assert set(windows) <= {"$__rate_interval"}, panel["title"]


def test_dashboard_and_alerts_use_only_catalogued_metrics() -> None:
    known = set(catalog())
    used = {
        "dashboard": set().union(
            *(metric_names(target["expr"]) for p in panels() for target in p["targets"]),
            *(metric_names(json.dumps(v)) for v in dashboard()["templating"]["list"]),
        ),
        "rules": set().union(*(metric_names(expr) for expr in alerts().values())),
    }
    for where, names in used.items():
        assert names <= known, f"{where} uses uncatalogued {sorted(names - known)}"


def test_catalogue_panels_and_alerts_exist_and_read_their_metric() -> None:
    exprs_by_panel = {p["title"]: " ".join(t["expr"] for t in p["targets"]) for p in panels()}
    rule_exprs = alerts()
    referenced_alerts = set()
    for name, entry in catalog().items():
        for title in entry["panels"]:
            assert title in exprs_by_panel, f"{name}: no panel {title!r}"
            assert name in metric_names(exprs_by_panel[title]), f"{title!r} does not read {name}"
        for alert in entry["alerts"]:
            assert alert in rule_exprs, f"{name}: no alert {alert!r}"
            assert name in metric_names(rule_exprs[alert]), f"{alert} does not read {name}"
            referenced_alerts.add(alert)
    assert referenced_alerts == set(rule_exprs)


def declared_metrics() -> dict[str, MetricWrapperBase]:
    return {
        value._name: value
        for value in vars(metrics).values()
        if isinstance(value, MetricWrapperBase)
    }


def test_catalogue_matches_the_metrics_module() -> None:
    exposed = {}
    for name, metric in declared_metrics().items():
        full = f"{name}_total" if metric._type == "counter" else name
        exposed[full] = metric
    entries = {name: entry for name, entry in catalog().items() if name != "up"}
    assert set(entries) == set(exposed)
    for name, entry in entries.items():
        metric = exposed[name]
        assert entry["type"] == metric._type, name
        assert set(entry["labels"]) == set(metric._labelnames), name
        if entry["type"] == "gauge":
            assert entry["multiprocess_mode"] == metric._multiprocess_mode, name


def test_metrics_are_declared_only_in_the_metrics_module() -> None:
    pattern = re.compile(r"\b(Counter|Gauge|Histogram|Summary|Info|Enum)\(")
    offenders = [
        str(path.relative_to(ROOT))
        for package in ("service", "pricing")
        for path in (ROOT / package).rglob("*.py")
        if path.name != "metrics.py" and pattern.search(path.read_text())
    ]
    assert not offenders


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        pytest.fail("promtool is not installed (.ci/run installs the prometheus package)")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["check", "config", str(DEPLOY / "prometheus" / "prometheus.yml")],
        ["check", "rules", str(RULES)],
    ],
    ids=["config", "rules"],
)
def test_promtool_accepts_the_prometheus_files(command: list[str]) -> None:
    checked = subprocess.run([promtool(), *command], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# Image and compose ----------------------------------------------------------------------------


def test_image_is_multi_stage_slim_non_root_with_a_healthcheck() -> None:
    built = images.stages()
    assert len(built) >= 2
    assert all(stage[0].value[0] == "python:3.11-slim" for stage in built)
    final = built[-1]
    users = [command.value[0] for command in final if command.cmd == "USER"]
    assert users and users[-1] not in {"0", "root"}
    (healthcheck,) = [command for command in final if command.cmd == "HEALTHCHECK"]
    assert "/healthz" in " ".join(healthcheck.value)
    assert (final[-1].cmd, final[-1].value) == ("CMD", ("python", "-m", "service"))
    environment: dict[str, str] = {}
    for command in final:
        if command.cmd == "ENV":  # the parser gives name, value, name, value, ...
            environment.update(zip(command.value[::2], command.value[1::2], strict=True))
    assert environment["SPENDCAST_HOST"] == "0.0.0.0"
    build_tools = re.compile(r"apt-get install|gcc|build-essential")
    assert not [c for c in final if c.cmd == "RUN" and build_tools.search(" ".join(c.value))]
    assert images.copied_from_context(final) == []  # only the built venv, from the build stage
    assert any("--from=build" in command.flags for command in final if command.cmd == "COPY")


def test_compose_runs_the_stack_with_valid_settings() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"spendcast", "redis", "prometheus", "grafana"}
    Settings.from_env(services["spendcast"]["environment"])
    assert (DEPLOY / services["spendcast"]["build"]["context"]).resolve() == ROOT
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert (DEPLOY / source).exists(), source
    grafana_mounts = " ".join(services["grafana"]["volumes"])
    assert "/etc/grafana/provisioning" in grafana_mounts
    assert "dashboards" in grafana_mounts


def test_grafana_provisioning_loads_the_dashboard_folder() -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    providers = yaml.safe_load((provisioning / "dashboards" / "spendcast.yaml").read_text())
    (provider,) = providers["providers"]
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards"
    sources = yaml.safe_load((provisioning / "datasources" / "prometheus.yaml").read_text())
    assert [source["type"] for source in sources["datasources"]] == ["prometheus"]
