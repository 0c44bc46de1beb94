"""Consumer lag per partition: set for what this consumer holds, dropped when a rebalance moves a partition away
(another instance reports it then; a stale series would count it twice in a sum over instances)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry

from shared.messaging import consumer as consumer_module
from shared.messaging.consumer import EventConsumer
from shared.messaging.metrics import MessagingMetrics


@dataclass(frozen=True)
class TP:
    topic: str
    partition: int


class Held:
    """The partitions a group gave this instance, their ends and this instance's positions."""

    def __init__(self, parts: dict[TP, tuple[int, int]]) -> None:
        self.parts = parts

    def assignment(self) -> set[TP]:
        return set(self.parts)

    def highwater(self, tp: TP) -> int:
        return self.parts[tp][0]

    async def position(self, tp: TP) -> int:
        return self.parts[tp][1]


def lags(registry: CollectorRegistry) -> dict[tuple[str, str], float]:
    return {(s.labels["topic"], s.labels["partition"]): s.value for m in registry.collect()
            if m.name == "bondline_consumer_lag" for s in m.samples}


async def test_lag_follows_the_assignment_and_forgets_partitions_that_moved_away(monkeypatch: Any) -> None:
    monkeypatch.setattr(consumer_module, "LAG_EVERY_S", 0.0)
    registry = CollectorRegistry()
    c = EventConsumer("dispatch", ["t"], {}, lambda: None, None, None, lambda: None,  # type: ignore[arg-type]
                      MessagingMetrics(registry))
    held = Held({TP("t", 0): (120, 100), TP("t", 1): (50, 50)})
    await c._note_lag(held)
    assert lags(registry) == {("t", "0"): 20.0, ("t", "1"): 0.0}
    held.parts = {TP("t", 1): (60, 55)}  # a rebalance gave partition 0 to the other instance
    await c._note_lag(held)
    assert lags(registry) == {("t", "1"): 5.0}
