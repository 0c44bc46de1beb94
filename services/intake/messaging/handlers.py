"""Events intake consumes. None yet: intake is the start of the flow."""
from shared.messaging.consumer import Handler

HANDLERS: dict[str, Handler] = {}
SUBSCRIBE: list[str] = []
