"""Command line: ``python -m service`` serves; ``python -m service openapi`` prints the schema."""

from __future__ import annotations

import argparse
import sys
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


def serve(settings: Settings) -> None:
    """Run the production server (uvicorn with uvloop and httptools)."""
    import uvicorn

    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        timeout_graceful_shutdown=30,
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
