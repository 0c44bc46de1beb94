"""One topic per producing service; dead-letter topics per consuming service."""

INTAKE_EVENTS = "bondline.intake.events"
REPAIR_EVENTS = "bondline.repair.events"
DISPATCH_EVENTS = "bondline.dispatch.events"
ALL_TOPICS = (INTAKE_EVENTS, REPAIR_EVENTS, DISPATCH_EVENTS)

SOURCE_TOPIC = {"intake": INTAKE_EVENTS, "repair": REPAIR_EVENTS, "dispatch": DISPATCH_EVENTS}


def dead_letter_topic(service: str) -> str:
    return f"bondline.{service}.deadletter"


def all_topics_with_dead_letters() -> tuple[str, ...]:
    return ALL_TOPICS + tuple(dead_letter_topic(s) for s in SOURCE_TOPIC)
