"""Start and stop the real processes that benchmarks and integration tests run against.

Each helper starts its own process on a free loopback port (never a shared instance) and stops it
by its own pid.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(check: Callable[[], bool], timeout_seconds: float, what: str) -> None:
    """Poll ``check`` every 50 ms until it returns true.

    Raises:
        TimeoutError: ``check`` stayed false for ``timeout_seconds``.
    """
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} not ready after {timeout_seconds} s")


def http_ok(url: str) -> bool:
    """Whether a GET of ``url`` answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop(process: subprocess.Popen[bytes], timeout_seconds: float = 10) -> None:
    """Stop a process started here: SIGTERM, then SIGKILL after the timeout."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class RedisServer:
    """A redis-server of our own on a free port, without persistence."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The redis:// URL of this server."""
        return f"redis://127.0.0.1:{self.port}/0"

    def kill(self) -> None:
        """Stop the server at once (SIGKILL), as a crash would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def redis_available() -> bool:
    """Whether a ``redis-server`` binary is on PATH."""
    return shutil.which("redis-server") is not None


def start_redis(port: int | None = None) -> RedisServer:
    """Start redis-server on a free port and wait until it accepts connections."""
    port = port or free_port()
    command = [
        "redis-server",
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = RedisServer(port=port, process=process)

    def accepts() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        return False

    wait_until(accepts, 10, "redis-server")
    return server


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A redis-server for the duration of the block."""
    server = start_redis()
    try:
        yield server
    finally:
        server.kill()


@dataclass
class Service:
    """A spendcast server started with ``python -m service``."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:<port>."""
        return f"http://127.0.0.1:{self.port}"


def start_service(
    settings: Mapping[str, str], log_path: Path | None = None, timeout_seconds: float = 30
) -> Service:
    """Start the production server (``python -m service``) and wait for /readyz.

    Args:
        settings: ``SPENDCAST_*`` variables (and e.g. ``PROMETHEUS_MULTIPROC_DIR``) to set.
        log_path: Where the server's output goes (default: discarded).
        timeout_seconds: How long to wait for readiness.
    """
    port = free_port()
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SPENDCAST_") and key != "PROMETHEUS_MULTIPROC_DIR"
    }
    environ.update({"SPENDCAST_PORT": str(port), "SPENDCAST_LOG_FORMAT": "json", **settings})
    output = log_path.open("ab") if log_path else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "service"],
        cwd=ROOT,
        env=environ,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    if log_path:
        output.close()  # the child holds its own copy of the descriptor
    service = Service(port=port, process=process)

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"spendcast exited with {process.returncode}")
        return http_ok(f"{service.base_url}/readyz")

    try:
        wait_until(ready, timeout_seconds, "spendcast")
    except BaseException:
        stop(process)
        raise
    return service


@contextlib.contextmanager
def running_service(settings: Mapping[str, str], log_path: Path | None = None) -> Iterator[Service]:
    """A spendcast server for the duration of the block."""
    service = start_service(settings, log_path)
    try:
        yield service
    finally:
        stop(service.process)
