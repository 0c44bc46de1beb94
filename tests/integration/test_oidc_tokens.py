"""The APIs accept the identity provider's access tokens (a real `oidc-provider` run by Node.js) and nothing forged.

Partners' client-credentials tokens carry their owner: on the partners API each sees only its own units.
"""
from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from services.kit.auth import authenticator, issue_token
from services.kit.oidc import OidcVerifier
from services.kit.settings import CommonSettings
from services.partners.bootstrap import build_app
from tests.integration.test_owner_partner import feed, journey
from tests.support import oidc
from tests.support.oidc import AUDIENCE, Provider, oidc_env
from tests.support.runtime import runtime

UNITS = "/v1/owner/units"


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[Provider]:
    """One provider for the module (the rotation test leaves it on an ES256 key: the later tests still pass)."""
    provider = oidc.start()
    yield provider
    oidc.stop(provider)


@pytest.fixture
async def partners(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                   oidc_provider: Provider) -> AsyncIterator[httpx.AsyncClient]:
    oidc_env(monkeypatch, oidc_provider)
    rt = runtime("partners", f"sqlite+aiosqlite:///{tmp_path}/partners.db", monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://partners") as client:
        client.rt = rt  # type: ignore[attr-defined]
        client.app = app  # type: ignore[attr-defined]
        yield client
    await rt.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def forged(provider: Provider, **changes: Any) -> str:
    """A token like the provider's, with ``changes`` to its claims, signed by a key the provider never had."""
    real = provider.client_token("p1-client")
    header = jwt.get_unverified_header(real)
    claims = jwt.decode(real, options={"verify_signature": False}) | changes
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": header["kid"], "typ": "at+jwt"})


def resigned(token: str, **changes: Any) -> str:
    """The token's header and signature with other claims: what tampering in transit looks like."""
    head, _body, sig = token.split(".")
    claims = jwt.decode(token, options={"verify_signature": False}) | changes
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{body}.{sig}"


async def test_client_credentials_tokens_see_only_their_owners_units(partners: httpx.AsyncClient,
                                                                     oidc_provider: Provider) -> None:
    await feed(partners, *journey("a1", "p1"), *journey("b1", "p2"))
    p1, p2 = oidc_provider.client_token("p1-client"), oidc_provider.client_token("p2-client")
    mine = await partners.get(UNITS, headers=bearer(p1))
    assert mine.status_code == 200, mine.text
    assert [u["unit_id"] for u in mine.json()["units"]] == ["a1"]
    assert [u["unit_id"] for u in (await partners.get(UNITS, headers=bearer(p2))).json()["units"]] == ["b1"]
    other = await partners.get(UNITS, params={"owner_id": "p2"}, headers=bearer(p1))
    assert other.status_code == 403 and "p1" in other.json()["detail"]
    assert (await partners.get("/v1/owner/units/b1", headers=bearer(p1))).status_code == 404


@pytest.mark.parametrize("case", ["forged", "tampered", "expired", "wrong_audience", "wrong_issuer", "garbage"])
async def test_tokens_not_from_the_provider_are_refused_with_a_reason(partners: httpx.AsyncClient,
                                                                      oidc_provider: Provider,
                                                                      case: str) -> None:
    real = oidc_provider.client_token("p1-client")
    token, reason = {
        "forged": (forged(oidc_provider), "signature"),
        "tampered": (resigned(real, owner_id="p2"), "signature"),
        "expired": (forged(oidc_provider, exp=int(time.time()) - 3600), "signature"),
        "wrong_audience": (forged(oidc_provider, aud="urn:other"), "signature"),
        "wrong_issuer": (forged(oidc_provider, iss="http://evil"), "signature"),
        "garbage": ("not.a.jwt", "invalid token"),
    }[case]
    r = await partners.get(UNITS, headers=bearer(token))
    assert r.status_code == 401 and reason in r.json()["detail"].lower(), r.text
    assert r.headers["www-authenticate"] == "Bearer"


async def test_claims_are_checked_after_the_signature(partners: httpx.AsyncClient,
                                                      oidc_provider: Provider) -> None:
    """Expiry and audience are refused even on a token the provider signed (checked with its real keys)."""
    verifier = authenticator(partners.app).oidc  # type: ignore[attr-defined]
    assert verifier is not None
    token = oidc_provider.client_token("p1-client")
    with pytest.raises(jwt.InvalidAudienceError):
        verifier.claims(token, audience="urn:someone-else")
    with pytest.raises(jwt.InvalidIssuerError):
        OidcVerifier(replace(verifier.config, issuer="http://127.0.0.1:1")).claims_with(verifier.keys, token)
    claims = verifier.claims(token)
    assert claims["aud"] == AUDIENCE and claims["iss"] == oidc_provider.issuer
    assert claims["owner_id"] == "p1" and claims["roles"] == ["partner"]


async def test_a_rotated_key_is_picked_up_and_unknown_kids_do_not_flood_the_provider(
        partners: httpx.AsyncClient, oidc_provider: Provider) -> None:
    before = oidc_provider.client_token("p1-client")
    assert (await partners.get(UNITS, headers=bearer(before))).status_code == 200
    keys = authenticator(partners.app).oidc.keys  # type: ignore[attr-defined, union-attr]
    kid = oidc_provider.rotate("ES256")
    after = oidc_provider.client_token("p1-client")
    assert jwt.get_unverified_header(after) == {"alg": "ES256", "typ": "at+jwt", "kid": kid}
    r = await partners.get(UNITS, headers=bearer(after))
    assert r.status_code == 200, r.text
    assert kid in keys.keys
    object.__setattr__(keys.config, "refresh_s", 3600.0)  # the production-like limit from now on
    fetches, claims = keys.fetches, jwt.decode(after, options={"verify_signature": False})
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    for n in range(20):
        tok = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": f"made-up-{n}"})
        r = await partners.get(UNITS, headers=bearer(tok))
        assert r.status_code == 401 and f"made-up-{n}" in r.json()["detail"]
    assert keys.fetches <= fetches + 1  # at most one refetch inside the rate limit


def test_production_without_an_issuer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BONDLINE_ENV", "production")
    monkeypatch.setenv("BONDLINE_JWT_SECRET", "a-production-secret-of-at-least-32-chars!")
    monkeypatch.delenv("BONDLINE_OIDC_ISSUER", raising=False)
    with pytest.raises(ValueError, match="BONDLINE_OIDC_ISSUER is required in production"):
        CommonSettings()


async def test_production_refuses_hs256_and_accepts_the_providers_tokens(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, oidc_provider: Provider) -> None:
    oidc_env(monkeypatch, oidc_provider, env="production")
    rt = runtime("partners", f"sqlite+aiosqlite:///{tmp_path}/partners.db", monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    dev = issue_token(rt.d.common.bondline_jwt_secret, "x", "partner", "p1")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://partners") as client:
        r = await client.get(UNITS, headers=bearer(dev))
        assert r.status_code == 401 and "not accepted in production" in r.json()["detail"]
        ok = await client.get(UNITS, headers=bearer(oidc_provider.client_token("p1-client")))
        assert ok.status_code == 200, ok.text
    await rt.dispose()


async def test_an_expired_provider_token_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A token the provider really signed, with a 3 s life, is refused once it is over (leeway 0)."""
    brief = oidc.start(token_ttl_s=3)
    try:
        oidc_env(monkeypatch, brief)
        monkeypatch.setenv("BONDLINE_OIDC_LEEWAY_S", "0")
        rt = runtime("partners", f"sqlite+aiosqlite:///{tmp_path}/partners.db", monkeypatch)
        app = build_app(rt, run_relay=False, run_consumer=False)
        token = brief.client_token("p1-client")
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://partners") as client:
            assert (await client.get(UNITS, headers=bearer(token))).status_code == 200
            await asyncio.sleep(3.5)  # exp = iat (whole seconds) + 3
            r = await client.get(UNITS, headers=bearer(token))
            assert r.status_code == 401 and "expired" in r.json()["detail"], r.text
        await rt.dispose()
    finally:
        oidc.stop(brief)


async def test_the_services_fetch_each_others_events_with_a_provider_token(
        oidc_provider: Provider, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """With a service client set, a service's own token for its peers comes from the provider (client credentials)."""
    from services.dispatch.bootstrap import build_app as build_dispatch

    oidc_env(monkeypatch, oidc_provider)
    monkeypatch.setenv("BONDLINE_OIDC_SERVICE_CLIENT_ID", "bondline-service")
    monkeypatch.setenv("BONDLINE_OIDC_SERVICE_CLIENT_SECRET", oidc.PARTNERS["bondline-service"]["secret"])
    rt = runtime("dispatch", f"sqlite+aiosqlite:///{tmp_path}/dispatch.db", monkeypatch)
    token = rt.service_token()
    assert jwt.get_unverified_header(token)["alg"] != "HS256"
    assert jwt.decode(token, options={"verify_signature": False})["roles"] == ["service"]
    assert rt.service_token() == token  # kept until half its life
    app = build_dispatch(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://dispatch") as client:
        r = await client.get("/v1/events", params={"key": "u-1"}, headers=bearer(token))
        assert r.status_code == 200 and r.json() == [], r.text
        partner = bearer(oidc_provider.client_token("p1-client"))
        assert (await client.get("/v1/events", params={"key": "u-1"}, headers=partner)).status_code == 403
    await rt.dispose()
