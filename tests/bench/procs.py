"""Processes and databases the benchmark starts, and their guaranteed clean-up."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support import pg
from tests.support.stack import ROOT, Broker, free_port

PREFIXES = ("INTAKE_", "REPAIR_", "DISPATCH_", "BONDLINE_", "KAFKA_")


@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def start(self, ready_path: str, timeout: float = 60) -> Proc:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(self.argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{self.tail()}")
            try:
                if httpx.get(self.url + ready_path, timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready at {ready_path} after {timeout}s:\n{self.tail()}")

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)

    def tail(self, lines: int = 20) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class Resources:
    """Everything started is registered here and torn down in reverse order, even on failure."""

    def __init__(self, workdir: Path) -> None:
        self.workdir, self._stack = workdir, ExitStack()

    def __enter__(self) -> Resources:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def broker(self) -> Broker:
        b = Broker(free_port(), self.workdir / "log" / "broker.log")
        (self.workdir / "log").mkdir(parents=True, exist_ok=True)
        self._stack.callback(b.stop)
        return b.start()

    def database(self, prefix: str) -> str:
        url = pg.create_database(prefix)
        self._stack.callback(pg.drop_database, url)
        return url

    def service(self, name: str, bootstrap: str, database_url: str, extra_env: dict[str, str] | None = None,
                ready_path: str = "/readyz") -> Proc:
        port = free_port()
        env = base_env() | (extra_env or {}) | {"BONDLINE_VAR_DIR": str(self.workdir),
                                                 "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                                                 f"{name.upper()}_PORT": str(port),
                                                 f"{name.upper()}_DATABASE_URL": database_url}
        return self.start(Proc(name, [sys.executable, "-m", f"services.{name}"], env,
                               self.workdir / "log" / f"{name}.log", port), ready_path)

    def baseline(self, database_url: str) -> Proc:
        port = free_port()
        env = base_env() | {"BENCH_BASELINE_DATABASE_URL": database_url}
        argv = [sys.executable, "-m", "uvicorn", "tests.bench.baseline_app:app", "--host", "127.0.0.1",
                "--port", str(port), "--workers", "1", "--no-access-log", "--log-level", "warning"]
        return self.start(Proc("baseline", argv, env, self.workdir / "log" / "baseline.log", port), "/healthz")

    def start(self, proc: Proc, ready_path: str) -> Proc:
        self._stack.callback(proc.stop)
        return proc.start(ready_path)


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIXES) or k == "BONDLINE_TEST_PG"}
    return env | {"PYTHONUNBUFFERED": "1", "BONDLINE_ENV": "test"}
