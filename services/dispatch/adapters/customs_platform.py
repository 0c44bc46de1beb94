"""The customs platform, as dispatch talks to it: the adapter every declaring service shares
(``services/kit/customs/platform.py``)."""
from __future__ import annotations

from services.kit.customs.platform import HttpPlatform, Platform, PlatformError

__all__ = ["HttpPlatform", "Platform", "PlatformError"]
