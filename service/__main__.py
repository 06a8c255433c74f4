"""Command line: ``python -m service`` serves; ``python -m service openapi`` prints the schema."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import MutableMapping
from pathlib import Path

import msgspec
import yaml

from pricing.errors import TableLoadError
from pricing.loader import TABLES_DIR, load_catalog
from service.settings import Settings, SettingsError


def openapi_yaml() -> str:
    """The app's OpenAPI document as YAML (keys sorted, so diffs are stable)."""
    from service.app import create_app

    app = create_app(Settings(log_level="WARNING"))
    document = msgspec.to_builtins(app.openapi_schema.to_schema())
    return yaml.safe_dump(document, sort_keys=True, allow_unicode=True, width=100)


#: How long uvicorn lets in-flight requests finish after SIGTERM (deploy/k8s grace period > this).
GRACEFUL_SHUTDOWN_SECONDS = 30

#: prometheus-client's multiprocess switch; read when prometheus_client is first imported.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_dir(
    settings: Settings, environ: MutableMapping[str, str] = os.environ
) -> str | None:
    """Point several workers' metrics at one directory, emptied before the workers start.

    An operator's ``PROMETHEUS_MULTIPROC_DIR`` is used (and wiped) as it is; otherwise, with more
    than one worker, a fresh temporary directory is created. Files left by an earlier run would
    otherwise add old counts to the new ones.

    Returns:
        The directory, or None when one process serves alone (in-memory metrics).
    """
    directory = environ.get(MULTIPROC_ENV)
    if not directory:
        if settings.workers == 1 or not settings.metrics_enabled:
            return None
        directory = tempfile.mkdtemp(prefix="spendcast-metrics-")
        environ[MULTIPROC_ENV] = directory
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
    return directory


def serve(settings: Settings) -> None:
    """Run the production server (uvicorn with uvloop and httptools)."""
    import uvicorn

    prepare_metrics_dir(settings)

    # Not balanced: the workers share one listening socket, so one may accept most connections
    # (no SO_REUSEPORT socket per worker; README, "Load and robustness").
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        # uvicorn's httptools protocol, whose own refusals are problem+json with size limits.
        http="service.server:ProblemHttpToolsProtocol",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``spendcast`` command."""
    parser = argparse.ArgumentParser(prog="spendcast", description=__doc__)
    parser.add_argument("command", nargs="?", default="serve", choices=["serve", "openapi"])
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "openapi":
            sys.stdout.write(openapi_yaml())
            return 0
        # Validate every table before the server forks: a bad file stops the start here, with
        # the file and the path inside it, instead of inside each worker.
        load_catalog(Path(settings.tables_dir) if settings.tables_dir else TABLES_DIR)
        serve(settings)
    except (SettingsError, TableLoadError) as exc:
        print(f"spendcast: cannot start: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
