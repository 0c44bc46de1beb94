"""A real OpenID provider for the tests: `node tests/support/oidc/server.js` (npm `oidc-provider`) on a free port.

`npm ci` fills tests/support/oidc/node_modules from the committed lock file when it is missing. Without `node`
the tests that need the provider skip, and fail when CI is set.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.stack import free_port

HERE = Path(__file__).with_name("oidc")
AUDIENCE = "urn:bondline:api"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PARTNERS = {"p1-client": {"secret": "p1-secret-0123456789", "owner_id": "p1"},
            "p2-client": {"secret": "p2-secret-0123456789", "owner_id": "p2"},
            "bondline-service": {"secret": "service-secret-0123456789", "roles": ["service"]}}
USERS = {"ann": ["dispatcher"], "bob": ["technician"]}


@dataclass
class Provider:
    issuer: str
    process: subprocess.Popen[str]

    def client_token(self, client_id: str, scope: str = "api") -> str:
        """A client-credentials access token for a partner client."""
        secret = PARTNERS[client_id]["secret"]
        r = httpx.post(f"{self.issuer}/token", auth=(client_id, secret),
                       data={"grant_type": "client_credentials", "scope": scope}, timeout=10)
        r.raise_for_status()
        return str(r.json()["access_token"])

    def rotate(self, alg: str = "RS256") -> str:
        """A new signing key (new kid) at the provider; returns its kid."""
        r = httpx.post(f"{self.issuer}/_test/rotate", params={"alg": alg}, timeout=10)
        r.raise_for_status()
        return str(r.json()["kid"])


def _need_node() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node and npm:
        return node
    if IN_CI:
        pytest.fail("node and npm are needed for the OpenID provider tests (CI must run them)")
    pytest.skip("node/npm not installed: the OpenID provider tests need Node.js")


def _npm_ci() -> None:
    if (HERE / "node_modules" / "oidc-provider").is_dir():
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=600,
                   stdout=subprocess.DEVNULL)


def start(redirect_uri: str = "http://127.0.0.1/desk/auth/callback",
          post_logout_uri: str = "http://127.0.0.1/desk/login", token_ttl_s: int = 600) -> Provider:
    node = _need_node()
    _npm_ci()
    port = free_port()
    env = os.environ | {"PORT": str(port), "AUDIENCE": AUDIENCE, "PARTNER_CLIENTS": json.dumps(PARTNERS),
                        "USERS": json.dumps(USERS), "DESK_REDIRECT_URI": redirect_uri,
                        "DESK_POST_LOGOUT_URI": post_logout_uri, "TOKEN_TTL": str(token_ttl_s)}
    proc = subprocess.Popen([node, "server.js"], cwd=HERE, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the OpenID provider exited: {proc.stdout.read() if proc.stdout else ''}")
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                return Provider(issuer, proc)
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the OpenID provider did not answer within 20 s")


def stop(provider: Provider) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait(5)


def oidc_env(monkeypatch: pytest.MonkeyPatch, provider: Provider, env: str = "test") -> None:
    """Point the services' settings at ``provider``."""
    monkeypatch.setenv("BONDLINE_ENV", env)
    monkeypatch.setenv("BONDLINE_OIDC_ISSUER", provider.issuer)
    monkeypatch.setenv("BONDLINE_OIDC_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("BONDLINE_OIDC_JWKS_REFRESH_S", "0")
    if env == "production":
        monkeypatch.setenv("BONDLINE_JWT_SECRET", "a-production-secret-of-at-least-32-chars!")
        monkeypatch.setenv("BONDLINE_OIDC_SERVICE_CLIENT_ID", "bondline-service")  # required there
        monkeypatch.setenv("BONDLINE_OIDC_SERVICE_CLIENT_SECRET", PARTNERS["bondline-service"]["secret"])
