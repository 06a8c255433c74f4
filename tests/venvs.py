"""Fresh virtualenvs for tests that install something the way a user would (uv, cache first)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

#: The test venv's bin: its uv builds and installs.
BIN = Path(sys.executable).parent
TIMEOUT_SECONDS = 300


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command to completion, capturing its text output; never raises on failure."""
    return subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False, **kwargs
    )


def install_into_venv(package: Path, workdir: Path) -> Path:
    """A fresh venv holding only ``package`` (a directory or a wheel) and its dependencies.

    Returns:
        The venv's python.
    """
    venv = workdir / "venv"
    uv = str(BIN / "uv")
    created = run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)])
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    install = [uv, "pip", "install", "--quiet", "--python", str(python), str(package)]
    installed = run([*install, "--offline"])
    if installed.returncode != 0:  # not everything cached yet: allow the index once
        installed = run(install)
    assert installed.returncode == 0, installed.stderr
    return python
