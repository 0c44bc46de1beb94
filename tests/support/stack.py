"""Start the real broker and the four services as separate processes (end-to-end tests, benchmarks)."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.kit.auth import issue_token
from services.kit.settings import DEV_JWT_SECRET
from shared.contract.topics import all_topics_with_dead_letters
from shared.messaging import embedded_broker, kafka

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("intake", "repair", "dispatch", "partners")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Broker:
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, create_topics: bool = True) -> Broker:
        self.proc = embedded_broker.start(self.port, log_path=self.log)
        if create_topics:
            asyncio.run(kafka.ensure_topics(kafka.KafkaConfig(bootstrap_servers=self.bootstrap),
                                            all_topics_with_dead_letters()))
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def signal(self, sig: signal.Signals) -> None:
        """SIGSTOP freezes the broker, SIGCONT thaws it."""
        assert self.proc is not None and self.proc.poll() is None, "the broker is not running"
        os.kill(self.proc.pid, sig)

    def restart_empty(self, down_s: float = 7.0) -> None:
        """SIGKILL the broker and start a brand-new, empty one on the same port ``down_s`` later.

        No topics are created: the services must recreate them, as they would after losing a real cluster."""
        self.stop()
        time.sleep(down_s)
        self.start(create_topics=False)


@dataclass
class Stack:
    workdir: Path
    bootstrap: str
    database_urls: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    split: set[str] = field(default_factory=set)  # these run api, relay and consumer as 3 processes

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("INTAKE_", "REPAIR_", "DISPATCH_", "PARTNERS_"))}
        env.update(BONDLINE_VAR_DIR=str(self.workdir), KAFKA_BOOTSTRAP_SERVERS=self.bootstrap,
                   BONDLINE_ENV="test", PYTHONUNBUFFERED="1")
        for name in NAMES:
            self.ports.setdefault(name, free_port())
            env[f"{name.upper()}_PORT"] = str(self.ports[name])
            if name in self.database_urls:
                env[f"{name.upper()}_DATABASE_URL"] = self.database_urls[name]
        env.update(self.extra_env)
        return env

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, wait_ready: bool = True, timeout: float = 120) -> Stack:
        self.launch()
        self.wait_up(timeout, ready=wait_ready)
        return self

    def launch(self) -> Stack:
        """Spawn every service's processes without waiting for them (``wait_up`` waits)."""
        env = self.env()
        (self.workdir / "log").mkdir(parents=True, exist_ok=True)
        for name in NAMES:
            self._spawn(name, env)
        return self

    def _spawn(self, name: str, env: dict[str, str]) -> None:
        for command in ("api", "relay", "consumer") if name in self.split else ("all",):
            key = name if command in ("all", "api") else f"{name}-{command}"
            # the child gets its own copy of the descriptor; the parent's handle is closed once it is started
            with open(self.workdir / "log" / f"{key}.log", "ab") as log:
                self.procs[key] = subprocess.Popen([sys.executable, "-m", f"services.{name}", command],
                                                   env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def keys(self, name: str) -> list[str]:
        """The process keys of one service: ``repair``, and ``repair-relay``, ``repair-consumer`` when split."""
        return [k for k in self.procs if k == name or k.startswith(f"{name}-")]

    def kill(self, name: str) -> None:
        """SIGKILL every process of one service (no shutdown hooks run, as in a crash)."""
        for key in self.keys(name):
            if self.procs[key].poll() is None:
                self.procs[key].kill()
            self.procs[key].wait(10)

    def restart(self, name: str, timeout: float = 60, ready: bool = True) -> None:
        """Start a killed service again with the same ports, databases and settings."""
        self._spawn(name, self.env())
        self.wait_up(timeout, ready=ready, names=(name,))

    def wait_up(self, timeout: float, ready: bool = True, names: tuple[str, ...] = NAMES) -> None:
        path = "/readyz" if ready else "/healthz"
        deadline, pending = time.monotonic() + timeout, set(names)
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                if self.procs[name].poll() is not None:
                    raise RuntimeError(f"{name} exited: {self.log_tail(name)}")
                try:
                    if httpx.get(self.url(name) + path, timeout=2).status_code == 200:
                        pending.discard(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
        if pending:
            raise TimeoutError(f"not {'ready' if ready else 'up'} after {timeout}s: {pending}; "
                               + "; ".join(self.log_tail(n) for n in pending))

    def log_tail(self, name: str, lines: int = 15) -> str:
        path = self.workdir / "log" / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()


def token(role: str, owner_id: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_token(DEV_JWT_SECRET, 'tester', role, owner_id)}"}
