"""Exponential backoff with full jitter."""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass
class Backoff:
    base: float = 0.1
    cap: float = 5.0
    attempt: int = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * (2 ** self.attempt))
        self.attempt += 1
        return random.uniform(delay / 2, delay)

    def reset(self) -> None:
        self.attempt = 0
