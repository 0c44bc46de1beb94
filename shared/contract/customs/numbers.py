"""The formats of the numbers customs assigns; bondline takes them from receipts and never makes them up.

Bonded inventory list (核注清单): 18 characters, ``QD`` + 4-digit customs district + 2-digit year + ``I``/``E``
+ 9-digit sequence. Gate pass (核放单): the same shape with ``HF``. Only the customs simulator builds them."""
from __future__ import annotations

import re

INVENTORY_LIST = re.compile(r"^QD(?P<district>\d{4})(?P<year>\d{2})(?P<direction>[IE])(?P<seq>\d{9})$")
GATE_PASS = re.compile(r"^HF(?P<district>\d{4})(?P<year>\d{2})(?P<direction>[IE])(?P<seq>\d{9})$")
PREFIX = {"inventory_list": "QD", "gate_pass": "HF"}


def build(kind: str, district: str, year: int, direction: str, seq: int) -> str:
    """A number in customs' format (the simulator's; a real platform assigns its own)."""
    if kind not in PREFIX or not re.fullmatch(r"\d{4}", district) or direction not in ("I", "E"):
        raise ValueError(f"cannot number a {kind!r} for district {district!r}, direction {direction!r}")
    if not 0 < seq < 10**9:
        raise ValueError(f"sequence {seq} does not fit 9 digits")
    return f"{PREFIX[kind]}{district}{year % 100:02d}{direction}{seq:09d}"


def valid(kind: str, number: str) -> bool:
    pattern = INVENTORY_LIST if kind == "inventory_list" else GATE_PASS
    return bool(pattern.fullmatch(number))
