"""Bearer tokens: issue, decode, and every way a token is refused."""
from __future__ import annotations

import time

import jwt
import pytest

from services.kit.auth import ISSUER, Principal, Role, decode_token, issue_token

SECRET = "unit-test-secret-0123456789abcdefghij"


def forge(claims: dict, secret: str = SECRET, algorithm: str = "HS256") -> str:
    now = int(time.time())
    return jwt.encode({"iss": ISSUER, "iat": now, "exp": now + 60} | claims, secret, algorithm=algorithm)


def test_round_trip():
    principal = decode_token(SECRET, issue_token(SECRET, "ann", Role.intake_clerk))
    assert principal == Principal(subject="ann", role=Role.intake_clerk, owner_id=None)
    assert principal.actor == "intake_clerk:ann"


def test_role_may_be_given_as_text():
    assert decode_token(SECRET, issue_token(SECRET, "bo", "dispatcher")).role is Role.dispatcher


def test_partner_token_carries_its_owner():
    principal = decode_token(SECRET, issue_token(SECRET, "fab", Role.partner, owner_id="owner-7"))
    assert principal.role is Role.partner and principal.owner_id == "owner-7"


def test_partner_token_requires_owner_id():
    with pytest.raises(ValueError, match="owner id"):
        issue_token(SECRET, "fab", Role.partner)


def test_partner_token_without_owner_is_refused_on_decode():
    with pytest.raises(jwt.InvalidTokenError, match="owner_id"):
        decode_token(SECRET, forge({"sub": "fab", "role": "partner"}))


def test_unknown_role_cannot_be_issued():
    with pytest.raises(ValueError):
        issue_token(SECRET, "eve", "wizard")


def test_wrong_secret_is_invalid():
    token = issue_token("another-secret-0123456789abcdefghijkl", "ann", Role.admin)
    with pytest.raises(jwt.InvalidSignatureError):
        decode_token(SECRET, token)


def test_expired_token_is_invalid():
    with pytest.raises(jwt.ExpiredSignatureError):
        decode_token(SECRET, issue_token(SECRET, "ann", Role.admin, ttl_minutes=-1))


@pytest.mark.parametrize("claim", ["role", "sub", "exp"])
def test_missing_claim_is_invalid(claim):
    claims = {"sub": "ann", "role": "admin", "exp": int(time.time()) + 60}
    token = jwt.encode({"iss": ISSUER} | {k: v for k, v in claims.items() if k != claim}, SECRET)
    with pytest.raises(jwt.MissingRequiredClaimError, match=claim):
        decode_token(SECRET, token)


def test_foreign_issuer_is_invalid():
    with pytest.raises(jwt.InvalidIssuerError):
        decode_token(SECRET, forge({"sub": "ann", "role": "admin", "iss": "someone-else"}))


def test_unknown_role_in_token_is_refused():
    with pytest.raises(ValueError, match="wizard"):
        decode_token(SECRET, forge({"sub": "eve", "role": "wizard"}))


def test_unsigned_token_is_refused():
    with pytest.raises(jwt.InvalidTokenError):
        decode_token(SECRET, forge({"sub": "eve", "role": "admin"}, secret="", algorithm="none"))


def test_garbage_is_refused():
    with pytest.raises(jwt.DecodeError):
        decode_token(SECRET, "not.a.token")
