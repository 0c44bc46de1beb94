"""`make run` as a newcomer meets it: deploy/local/run.py starts the embedded broker, the four services and the
customs simulator, prints where to go, and stops everything on SIGTERM (ports moved so it runs beside others)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from shared.messaging.embedded_broker import EmbeddedBrokerUnavailable, tansu_binary
from tests.conftest import IN_CI
from tests.support.stack import ROOT, free_port

NAMES = ("intake", "repair", "dispatch", "partners", "customs_sim")


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


def _wait_for(proc: subprocess.Popen[str], text: str, timeout: float) -> str:
    """The runner's output up to the line containing ``text`` (it prints its banner once everything is ready)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"no {text!r} within {timeout:.0f}s; the runner printed:\n{''.join(seen)}")


def test_make_run_starts_the_services_and_the_simulator_and_stops_them(tmp_path: Path) -> None:
    try:
        tansu_binary()
    except EmbeddedBrokerUnavailable as exc:
        if IN_CI:
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    ports = {name: free_port() for name in NAMES}
    env = dict(os.environ, BONDLINE_VAR_DIR=str(tmp_path / "var"), BONDLINE_EMBEDDED_BROKER_PORT=str(free_port()),
               **{f"{name.upper()}_PORT": str(port) for name, port in ports.items()})
    for name in ("intake", "repair", "dispatch", "partners"):
        env.pop(f"{name.upper()}_DATABASE_URL", None)  # the embedded defaults: SQLite under the var dir
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    proc = subprocess.Popen([sys.executable, "deploy/local/run.py"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        banner = _wait_for(proc, "Try the flow", timeout=150)
        assert "warning: not ready" not in banner, banner
        for name in ("intake", "repair", "dispatch", "partners"):
            assert f"http://127.0.0.1:{ports[name]}/docs" in banner
            status, _, _ = _get(f"http://127.0.0.1:{ports[name]}/readyz")
            assert status == 200, name
        sim = f"http://127.0.0.1:{ports['customs_sim']}"
        assert f"{sim}/docs" in banner and "SIMULATOR" in banner
        status, headers, body = _get(f"{sim}/healthz")
        assert status == 200 and json.loads(body)["simulated"] is True
        assert headers["x-customs-simulator"].startswith("SIMULATED")
        assert (tmp_path / "var" / "log" / "customs_simulator.log").exists()
        # `make demo` against it, told only the *_PORT settings make run had: every entry and exit filed with the
        # simulator, its numbers from the receipts
        demo = subprocess.run([sys.executable, "deploy/local/demo.py"], cwd=ROOT, env=env, text=True,
                              capture_output=True, timeout=400)
        assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
        assert "Account book H2244B000001" in demo.stdout and "does not balance" not in demo.stdout
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0 and "bondline: stopped" in rest, rest
