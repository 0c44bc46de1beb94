"""Roles and owner from an access token's configurable claims (the signature part is tested against a real provider
in tests/integration/test_oidc_tokens.py)."""
from __future__ import annotations

import jwt
import pytest

from services.kit.auth import Authenticator, Principal, Role, issue_token, principal_from_claims
from services.kit.oidc import OidcConfig, claim
from services.kit.settings import CommonSettings

FLAT = OidcConfig("https://idp.example", "urn:bondline:api")
NESTED = OidcConfig("https://idp.example", "urn:bondline:api", roles_claim="realm_access.roles",
                    owner_claim="bondline.owner")


def test_dotted_paths_reach_nested_claims_and_a_flat_name_wins() -> None:
    claims = {"realm_access": {"roles": ["offline_access", "partner"]}, "a.b": 1, "a": {"b": 2}}
    assert claim(claims, "realm_access.roles") == ["offline_access", "partner"]
    assert claim(claims, "a.b") == 1
    assert claim(claims, "realm_access.missing.deeper") is None


def test_roles_and_owner_come_from_the_configured_claims() -> None:
    claims = {"sub": "client-7", "realm_access": {"roles": ["uma_authorization", "partner"]},
              "bondline": {"owner": "fab-a"}}
    assert principal_from_claims(claims, NESTED) == Principal("client-7", Role.partner, "fab-a")
    assert principal_from_claims({"sub": "u", "roles": "dispatcher"}, FLAT) == Principal("u", Role.dispatcher)
    assert principal_from_claims({"sub": "u", "roles": ["technician", "admin"]}, FLAT).role is Role.admin


@pytest.mark.parametrize(("claims", "message"), [
    ({"sub": "u", "roles": ["offline_access"]}, "no bondline role"),
    ({"sub": "u"}, "no bondline role"),
    ({"sub": "u", "roles": ["partner"]}, "partner token without an owner"),
    ({"sub": "u", "roles": ["partner"], "owner_id": ""}, "partner token without an owner"),
])
def test_tokens_without_a_usable_role_or_owner_are_refused(claims: dict[str, object], message: str) -> None:
    with pytest.raises(jwt.InvalidTokenError, match=message):
        principal_from_claims(claims, FLAT)


def test_hs256_tokens_are_development_only(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "a-production-secret-of-at-least-32-chars!"
    monkeypatch.setenv("BONDLINE_JWT_SECRET", secret)
    monkeypatch.setenv("BONDLINE_OIDC_ISSUER", "https://idp.example")
    monkeypatch.setenv("BONDLINE_OIDC_SERVICE_CLIENT_ID", "bondline-services")
    token = issue_token(secret, "ann", "dispatcher")
    monkeypatch.setenv("BONDLINE_ENV", "test")
    assert Authenticator(CommonSettings()).verify(token) == Principal("ann", Role.dispatcher)
    monkeypatch.setenv("BONDLINE_ENV", "production")
    with pytest.raises(jwt.InvalidTokenError, match="not accepted in production"):
        Authenticator(CommonSettings()).verify(token)


def test_a_non_hs256_token_without_an_issuer_configured_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BONDLINE_OIDC_ISSUER", raising=False)
    monkeypatch.setenv("BONDLINE_ENV", "test")
    token = jwt.encode({"sub": "x"}, "k" * 64, algorithm="HS512")
    with pytest.raises(jwt.InvalidTokenError, match="needs BONDLINE_OIDC_ISSUER"):
        Authenticator(CommonSettings()).verify(token)
