"""N instances of every service on the same databases and broker (scale-out tests, end-to-end benchmark).

Each instance is a ``Stack`` of its own (its own ports and log folder ``<workdir>/i<n>/log``) on the same databases,
so each service's instances share one consumer group per consumer and one relay lease. An instance's services
find their peers (``GET /v1/events`` for gap recovery) in the same instance, as if each instance were a host.
``url(name)`` answers with a live instance, so helpers written for one ``Stack`` work on it too.
"""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.stack import NAMES, Stack


@dataclass
class Scaled:
    workdir: Path
    bootstrap: str
    database_urls: dict[str, str]
    instances: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    split: set[str] = field(default_factory=set)  # services run as api, relay and consumer processes
    stacks: list[Stack] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.database_urls:
            raise ValueError("several instances share one database per service: PostgreSQL only")
        self.stacks = [Stack(self.workdir / f"i{n}", self.bootstrap, dict(self.database_urls), dict(self.extra_env),
                             split=set(self.split)) for n in range(self.instances)]

    def start(self, wait_ready: bool = True, timeout: float = 120) -> Scaled:
        """The first instance, then (once its APIs answer) the others at once; then wait for all.

        Not all at once: partners' take-over of dispatch's old data (run after its migrations) is not safe for
        two replicas starting together: the loser of the race exits on ``pk_legacy_imports``."""
        first, *others = self.stacks
        first.launch().wait_up(timeout, ready=False)
        for s in others:
            s.launch()
        for s in self.stacks:
            s.wait_up(timeout, ready=wait_ready)
        return self

    def alive(self, name: str) -> list[int]:
        """The instances whose every process of ``name`` is running."""
        return [n for n, s in enumerate(self.stacks)
                if s.keys(name) and all(s.procs[k].poll() is None for k in s.keys(name))]

    def urls(self, name: str) -> list[str]:
        """The API URLs of the live instances of one service."""
        return [self.stacks[n].url(name) for n in self.alive(name)]

    def url(self, name: str) -> str:
        """A live instance's API URL (the first one), as ``Stack.url``."""
        live = self.alive(name)
        return self.stacks[live[0] if live else 0].url(name)

    def kill(self, name: str, instance: int) -> None:
        """SIGKILL every process of one service's instance (no shutdown hooks run, as in a crash)."""
        self.stacks[instance].kill(name)

    def processes(self, name: str) -> dict[str, subprocess.Popen[bytes]]:
        """Every process of one service over all instances: ``i0/repair``, ``i0/repair-relay``, ``i1/repair``..."""
        return {f"i{n}/{k}": s.procs[k] for n, s in enumerate(self.stacks) for k in s.keys(name)}

    def log_tail(self, name: str, instance: int, lines: int = 15) -> str:
        return self.stacks[instance].log_tail(name, lines)

    def stop(self) -> None:
        for s in self.stacks:
            s.stop()


__all__ = ["NAMES", "Scaled"]
