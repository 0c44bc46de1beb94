"""Owners' webhooks (pure rules): Standard Webhooks signing, secrets and rotation, retry schedule, target guard.

Spec: https://www.standardwebhooks.com — headers ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``
(space-separated ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``, one per valid secret); secrets are
``whsec_`` followed by base64 of 24 to 64 random bytes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import random
import secrets as _random
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from services.kit.errors import RuleViolation

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(_random.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(SECRET_PREFIX):])


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


@dataclass(frozen=True)
class Secret:
    secret: str
    expires_at: datetime | None = None  # a rotated-out secret stays valid until then

    def valid_at(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


def rotate(current: list[Secret], now: datetime, grace: timedelta) -> list[Secret]:
    """A new primary secret; the old primary stays valid for ``grace``, older ones are dropped."""
    primary = next((s for s in current if s.expires_at is None), None)
    kept = [Secret(primary.secret, now + grace)] if primary and grace > timedelta(0) else []
    return [Secret(new_secret()), *kept]


def headers(secrets: list[Secret], msg_id: str, now: datetime, body: bytes) -> dict[str, str]:
    ts = int(now.timestamp())
    sigs = " ".join(signature(s.secret, msg_id, ts, body) for s in secrets if s.valid_at(now))
    return {"webhook-id": msg_id, "webhook-timestamp": str(ts), "webhook-signature": sigs,
            "content-type": "application/json"}


def next_delay(schedule: list[float], attempts_made: int, jitter: float = 0.2,
               rand: random.Random | None = None) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` failures, with ±jitter; None when exhausted."""
    if attempts_made > len(schedule):
        return None
    base = schedule[attempts_made - 1]
    r = (rand or random).uniform(1 - jitter, 1 + jitter)
    return max(0.0, base * r)


class Verdict:
    delivered, retry, disable = "delivered", "retry", "disable"


def verdict(status_code: int | None) -> str:
    """2xx delivered; 410 Gone disables the endpoint; anything else (or no answer) is retried."""
    if status_code is not None and 200 <= status_code < 300:
        return Verdict.delivered
    if status_code == 410:
        return Verdict.disable
    return Verdict.retry


def check_url(url: str) -> tuple[str, int]:
    """The host and port of a webhook URL, or RuleViolation saying what is wrong with it."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        raise RuleViolation(f"webhook URL must be http or https, not {parts.scheme or 'nothing'!r}")
    if not parts.hostname:
        raise RuleViolation("webhook URL has no host")
    if parts.username or parts.password:
        raise RuleViolation("webhook URL must not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RuleViolation("webhook URL has an invalid port") from None
    return parts.hostname, port


def refused_address(address: str) -> str | None:
    """Why an outbound request must not go to this IP address (private, loopback, link-local...), else None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    for label, flag in (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
                        ("link-local", ip.is_link_local), ("private", ip.is_private),
                        ("multicast", ip.is_multicast), ("reserved", ip.is_reserved)):
        if flag:
            return f"{address} is a {label} address"
    return None


def type_matches(filters: list[str], event_type: str) -> bool:
    """An empty filter list takes every event; ``com.bondline.repair.*`` takes a prefix."""
    return not filters or any(event_type == f or (f.endswith("*") and event_type.startswith(f[:-1]))
                              for f in filters)


def refused_host(host: str) -> str | None:
    """Why a webhook URL's host is internal on its face (an internal IP literal or localhost), else None.

    Names are resolved and checked again before every delivery; this catches the obvious at registration.
    """
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is a loopback name"
    try:
        return refused_address(host.strip("[]"))
    except ValueError:
        return None
