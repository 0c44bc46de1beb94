"""Registry of event payload models keyed by (type, version)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from shared.contract.envelope import CloudEvent

P = TypeVar("P", bound="Payload")


class Payload(BaseModel):
    """Base of every event payload. Unknown (newer, additive) fields are ignored by readers.

    ``subject_field`` names the field that becomes ``ce_subject`` and the record key (the unit id,
    so one unit's events stay in order; a parts receipt's id for parts events).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)
    subject_field: ClassVar[str] = "unit_id"

    @property
    def subject(self) -> str:
        return str(getattr(self, self.subject_field))


class UnknownEventType(LookupError):
    pass


class SchemaViolation(ValueError):
    pass


@dataclass(frozen=True)
class EventSpec:
    name: str
    version: int
    topic: str
    model: type[Payload]
    summary: str

    @property
    def ce_type(self) -> str:
        return f"{self.name}.v{self.version}"


class EventRegistry:
    def __init__(self) -> None:
        self._by_key: dict[tuple[str, int], EventSpec] = {}
        self._by_model: dict[type[Payload], EventSpec] = {}

    def register(self, name: str, version: int, topic: str) -> Callable[[type[P]], type[P]]:
        def decorate(model: type[P]) -> type[P]:
            spec = EventSpec(name, version, topic, model, (model.__doc__ or "").strip())
            if (name, version) in self._by_key:
                raise ValueError(f"event {spec.ce_type} registered twice")
            self._by_key[(name, version)] = spec
            self._by_model[model] = spec
            return model
        return decorate

    def specs(self) -> list[EventSpec]:
        return sorted(self._by_key.values(), key=lambda s: (s.topic, s.name, s.version))

    def spec_for_type(self, ce_type: str) -> EventSpec:
        name, _, ver = ce_type.rpartition(".v")
        if not name or not ver.isdigit() or (name, int(ver)) not in self._by_key:
            raise UnknownEventType(f"unknown event type or version {ce_type!r}")
        return self._by_key[(name, int(ver))]

    def spec_for_model(self, model: type[Payload]) -> EventSpec:
        return self._by_model[model]

    def type_of(self, model: type[Payload]) -> str:
        """The ce_type of a payload model, e.g. for a consumer's handler table."""
        return self._by_model[model].ce_type

    def parse(self, event: CloudEvent) -> Payload:
        spec = self.spec_for_type(event.type)
        try:
            payload = spec.model.model_validate(event.data)
        except ValidationError as exc:
            raise SchemaViolation(f"{event.type} violates its schema: {_brief(exc)}") from exc
        if event.subject and payload.subject != event.subject:
            raise SchemaViolation(f"ce_subject {event.subject!r} differs from "
                                  f"{payload.subject_field} {payload.subject!r}")
        return payload

    def to_event(self, payload: Payload, source: str, actor: str | None = None) -> CloudEvent:
        spec = self._by_model[type(payload)]
        return CloudEvent(type=spec.ce_type, source=source, subject=payload.subject,
                          data=payload.model_dump(mode="json"), actor=actor)


def _brief(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in exc.errors()[:5])


REGISTRY = EventRegistry()
