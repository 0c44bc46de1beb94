"""The public event contract: CloudEvents envelope, topics, payload registry."""
from shared.contract.envelope import CloudEvent, EnvelopeError
from shared.contract.registry import REGISTRY, EventRegistry, UnknownEventType
from shared.contract.topics import ALL_TOPICS, DISPATCH_EVENTS, INTAKE_EVENTS, REPAIR_EVENTS

__all__ = [
    "CloudEvent", "EnvelopeError", "REGISTRY", "EventRegistry", "UnknownEventType",
    "ALL_TOPICS", "INTAKE_EVENTS", "REPAIR_EVENTS", "DISPATCH_EVENTS",
]
