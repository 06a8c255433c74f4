"""The image recipe, deploy/Dockerfile, read by BuildKit's own parser (the ``dockerfile`` package).

No Docker engine runs here; parsing with the parser ``docker build`` uses at least proves the file
is one Docker reads, and gives the tests its instructions stage by stage.
"""

from __future__ import annotations

from pathlib import Path

import dockerfile

DOCKERFILE = Path(__file__).resolve().parents[2] / "deploy" / "Dockerfile"


def stages() -> list[list[dockerfile.Command]]:
    """The instructions of each build stage, in order (each stage starts with its FROM)."""
    found: list[list[dockerfile.Command]] = []
    for command in dockerfile.parse_file(str(DOCKERFILE)):
        if command.cmd == "FROM":
            found.append([])
        found[-1].append(command)
    return found


def copied_from_context(stage: list[dockerfile.Command]) -> list[str]:
    """The build-context paths a stage copies (``COPY --from`` copies from a stage, not these)."""
    sources: list[str] = []
    for command in stage:
        if command.cmd == "COPY" and not any(f.startswith("--from") for f in command.flags):
            sources.extend(command.value[:-1])
    return sources
