"""Events published by dispatch on bondline.dispatch.events."""
from __future__ import annotations

from datetime import datetime

from shared.contract.events.common import Outcome
from shared.contract.registry import REGISTRY, Payload
from shared.contract.topics import DISPATCH_EVENTS

NS = "com.bondline.dispatch"


@REGISTRY.register(f"{NS}.unit.awaiting_dispatch", 1, DISPATCH_EVENTS)
class UnitAwaitingDispatch(Payload):
    """A unit whose repair ended is now a dispatch candidate."""
    unit_id: str
    owner_id: str
    outcome: Outcome
    since: datetime
