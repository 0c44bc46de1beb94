"""OpenID Connect access tokens: RS256/ES256 JWTs from the zone's provider, checked against its JWKS.

The provider's metadata and keys are fetched on first use (never at import), kept, and refetched when a token
names a ``kid`` the cached set does not hold (a rotated key), at most once per ``refresh_s`` so that a flood of
tokens with made-up kids does not hammer the provider. ``iss``, ``aud`` and ``exp`` are required and checked.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

TIMEOUT_S = 5.0


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    audience: str
    roles_claim: str = "roles"
    owner_claim: str = "owner_id"
    algorithms: tuple[str, ...] = ("RS256", "ES256")
    refresh_s: float = 30.0
    leeway_s: int = 30


def claim(claims: dict[str, Any], path: str) -> Any:
    """A claim by name, or by dotted path into nested objects (``realm_access.roles``); None when absent."""
    if path in claims:
        return claims[path]
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def discover(issuer: str) -> dict[str, Any]:
    """The provider's metadata; its ``issuer`` must be the configured one (RFC 8414 section 3.3)."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = httpx.get(url, timeout=TIMEOUT_S)
    response.raise_for_status()
    meta: dict[str, Any] = response.json()
    if meta.get("issuer") != issuer:
        raise jwt.InvalidTokenError(f"provider at {url} names issuer {meta.get('issuer')!r}, not {issuer!r}")
    return meta


@dataclass
class Keys:
    """The provider's signing keys by kid, refetched on an unknown kid (rate-limited)."""

    config: OidcConfig
    meta: dict[str, Any] = field(default_factory=dict)
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float = float("-inf")
    fetches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def metadata(self) -> dict[str, Any]:
        if not self.meta:
            self.meta = discover(self.config.issuer)
        return self.meta

    def key(self, kid: str | None) -> jwt.PyJWK:
        with self.lock:
            if kid not in self.keys and time.monotonic() - self.fetched_at >= self.config.refresh_s:
                self._fetch()
            found = self.keys.get(kid or "")
        if found is None:
            raise jwt.InvalidTokenError(f"signing key {kid!r} is not in the provider's JWKS")
        return found

    def _fetch(self) -> None:
        self.fetched_at = time.monotonic()  # set first: a failing provider is not asked again at once either
        self.fetches += 1
        response = httpx.get(self.metadata()["jwks_uri"], timeout=TIMEOUT_S)
        response.raise_for_status()
        found = jwt.PyJWKSet.from_dict(response.json()).keys
        self.keys = {k.key_id: k for k in found if k.key_id and k.public_key_use in (None, "sig")}


class OidcVerifier:
    """Verifies the provider's JWTs (access tokens, or the desk's ID token with ``audience``/``nonce``)."""

    def __init__(self, config: OidcConfig) -> None:
        self.config = config
        self.keys = Keys(config)

    def claims(self, token: str, audience: str | None = None) -> dict[str, Any]:
        return self.claims_with(self.keys, token, audience)

    def claims_with(self, keys: Keys, token: str, audience: str | None = None) -> dict[str, Any]:
        """``claims`` with the keys from ``keys`` (another verifier's cache: same provider, other checks)."""
        header = jwt.get_unverified_header(token)
        alg = header.get("alg")
        if alg not in self.config.algorithms:
            raise jwt.InvalidAlgorithmError(f"algorithm {alg} is not accepted (accepted: "
                                            f"{', '.join(self.config.algorithms)})")
        key = keys.key(header.get("kid"))
        return jwt.decode(token, key.key, algorithms=[alg], audience=audience or self.config.audience,
                          issuer=self.config.issuer, leeway=self.config.leeway_s,
                          options={"require": ["exp", "iss", "aud", "sub"]})


def client_credentials(issuer: str, client_id: str, secret: str, audience: str) -> tuple[str, float]:
    """A machine-to-machine access token for ``audience`` from the provider's token endpoint, and its lifetime (s)."""
    endpoint = discover(issuer)["token_endpoint"]
    response = httpx.post(endpoint, auth=(client_id, secret), timeout=TIMEOUT_S,
                          data={"grant_type": "client_credentials", "resource": audience})
    response.raise_for_status()
    body = response.json()
    return str(body["access_token"]), float(body.get("expires_in", 300))
