"""The public event contract: CloudEvents envelope, topics, payload registry."""
from shared.contract.envelope import CloudEvent, EnvelopeError
from shared.contract.registry import REGISTRY, EventRegistry, UnknownEventType
from shared.contract.topics import ALL_TOPICS, DISPATCH_EVENTS, INTAKE_EVENTS, REPAIR_EVENTS

__all__ = [
    "ALL_TOPICS",
    "DISPATCH_EVENTS",
    "INTAKE_EVENTS",
    "REGISTRY",
    "REPAIR_EVENTS",
    "CloudEvent",
    "EnvelopeError",
    "EventRegistry",
    "UnknownEventType",
]
