"""Webhook rules: Standard Webhooks signatures (checked by the standardwebhooks package), rotation, retry schedule
with jitter, 410, targets refused, type filters."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from services.kit.errors import RuleViolation
from services.partners.domain import webhooks as w


def test_signatures_verify_with_a_library_we_did_not_write():
    now = datetime.now(timezone.utc)  # the verifier refuses timestamps more than five minutes off
    secret, body = w.new_secret(), b'{"type":"com.bondline.dispatch.item.shipped.v1"}'
    headers = w.headers([w.Secret(secret)], "evt-1", now, body)
    assert Webhook(secret).verify(body, headers) == {"type": "com.bondline.dispatch.item.shipped.v1"}
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(w.new_secret()).verify(body, headers)


def test_rotation_keeps_the_old_secret_valid_for_the_grace_only():
    now = datetime.now(timezone.utc)  # the verifier refuses timestamps more than five minutes off
    first = [w.Secret(w.new_secret())]
    rotated = w.rotate(first, now, timedelta(hours=2))
    assert rotated[1] == w.Secret(first[0].secret, now + timedelta(hours=2)) and rotated[0].expires_at is None
    body = b"{}"
    during = w.headers(rotated, "m", now, body)
    assert Webhook(first[0].secret).verify(body, during) == {} and Webhook(rotated[0].secret).verify(body, during) == {}
    after = w.headers(rotated, "m", now + timedelta(hours=3), body)
    assert len(after["webhook-signature"].split()) == 1
    again = w.rotate(rotated, now, timedelta(hours=2))
    assert [s.secret for s in again][1:] == [rotated[0].secret]  # older secrets are dropped
    assert len(w.rotate(rotated, now, timedelta(0))) == 1


def test_retry_delays_follow_the_schedule_with_bounded_jitter_then_stop():
    schedule, rand = [5, 300, 1800], random.Random(7)
    delays = [[w.next_delay(schedule, n, 0.2, rand) for n in (1, 2, 3)] for _ in range(200)]
    for n, base in enumerate(schedule):
        seen = [d[n] for d in delays]
        assert all(base * 0.8 <= s <= base * 1.2 for s in seen) and len(set(seen)) > 100
    assert w.next_delay(schedule, 4) is None


@pytest.mark.parametrize("code,verdict", [(200, "delivered"), (204, "delivered"), (410, "disable"), (404, "retry"),
                                          (500, "retry"), (301, "retry"), (None, "retry")])
def test_verdicts(code, verdict):
    assert w.verdict(code) == verdict


@pytest.mark.parametrize("address,refused", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.0.0.8", "private"), ("192.168.1.2", "private"),
    ("172.16.0.1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("::ffff:127.0.0.1", "loopback"), ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"),
    ("93.184.215.14", None), ("2606:4700::1111", None)])
def test_internal_addresses_are_refused(address, refused):
    reason = w.refused_address(address)
    assert (reason is None) if refused is None else (refused in (reason or ""))


def test_urls_are_checked_for_scheme_host_and_credentials():
    assert w.check_url("https://hooks.fab.example/bondline") == ("hooks.fab.example", 443)
    for bad, why in (("ftp://x.example/", "http or https"), ("https:///path", "no host"),
                     ("https://u:p@x.example/", "credentials"), ("https://x.example:99999/", "invalid port")):
        with pytest.raises(RuleViolation, match=why):
            w.check_url(bad)
    assert w.refused_host("localhost") and w.refused_host("[::1]") and w.refused_host("hooks.example") is None


def test_type_filters_match_exact_types_and_prefixes():
    shipped = "com.bondline.dispatch.item.shipped.v1"
    assert w.type_matches([], shipped) and w.type_matches([shipped], shipped)
    assert w.type_matches(["com.bondline.dispatch.*"], shipped)
    assert not w.type_matches(["com.bondline.repair.*", "com.bondline.dispatch.item.delivered.v1"], shipped)
