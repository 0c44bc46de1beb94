"""The desk signs in at a real OpenID provider (npm `oidc-provider`) in Debian's Chromium: authorization code + PKCE.

The desk sends the browser to the provider, the user signs in on the provider's own login page and lands on the
desk signed in (role from the provider's claims); logout ends the desk's session and the provider's, and the old
session cookie no longer opens anything.
"""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.dispatch.bootstrap import build_app
from tests.browser.seed import Loop, scenario
from tests.browser.test_desk import CHROMIUM, SHOTS, _need_chromium
from tests.support import oidc
from tests.support.runtime import runtime
from tests.support.stack import free_port

pytestmark = pytest.mark.browser


@dataclass
class Site:
    url: str
    provider: oidc.Provider


@pytest.fixture
async def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Site]:
    """Dispatch (seeded, on a free port) whose desk signs in at a provider started for it."""
    import uvicorn

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider = oidc.start(f"{base}/desk/auth/callback", f"{base}/desk/login")
    oidc.oidc_env(monkeypatch, provider)
    monkeypatch.setenv("BONDLINE_OIDC_DESK_CLIENT_ID", "desk")
    monkeypatch.setenv("DISPATCH_PUBLIC_URL", base)
    rt = runtime("dispatch", f"sqlite+aiosqlite:///{tmp_path}/dispatch.db", monkeypatch)
    await scenario(rt, Loop(rt))
    server = uvicorn.Server(uvicorn.Config(build_app(rt, run_relay=False, run_consumer=False), host="127.0.0.1",
                                           port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    yield Site(base, provider)
    server.should_exit = True
    await task
    await rt.dispose()
    oidc.stop(provider)


@pytest.fixture
async def browser(site: Site) -> AsyncIterator[Any]:
    _need_chromium()
    from playwright.async_api import async_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        await b.close()


async def test_desk_signs_in_at_the_provider_and_logout_kills_the_session(site: Site, browser: Any) -> None:
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await page.goto(f"{site.url}/desk")
    assert page.url.startswith(f"{site.provider.issuer}/interaction/")  # the provider's own login page
    await page.fill("input[name=login]", "ann")
    await page.fill("input[name=password]", "any")
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{site.url}/desk")
    assert "ann" in (await page.text_content(".who") or "") and "dispatcher" in (await page.text_content(".who") or "")
    await page.screenshot(path=str(SHOTS / "desk-oidc-signed-in.png"))
    cookies = {c["name"]: c for c in await page.context.cookies(f"{site.url}/desk")}
    session = cookies["desk_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"
    async with httpx.AsyncClient(base_url=site.url, cookies={"desk_session": session["value"]}) as http:
        assert (await http.get("/desk")).status_code == 200  # the cookie alone opens the desk, while the session lives

        await page.click("form[action='/desk/logout'] button")
        await page.wait_for_url(f"{site.provider.issuer}/session/end*")  # the provider asks to confirm
        await page.click("button[name=logout]")
        await page.wait_for_url(f"{site.provider.issuer}/interaction/*")  # both sessions gone: sign in again
        r = await http.get("/desk")
        assert r.status_code == 303 and r.headers["location"].startswith("/desk/login")


async def test_a_forged_callback_is_refused(site: Site) -> None:
    """A callback without the sign-in's state cookie, or with another state, opens no session."""
    async with httpx.AsyncClient(base_url=site.url) as http:
        r = await http.get("/desk/auth/callback", params={"code": "x", "state": "y"})
        assert r.status_code == 400 and "no sign-in in progress" in r.text
        start = await http.get("/desk/auth/start")
        assert start.status_code == 303 and start.headers["location"].startswith(f"{site.provider.issuer}/auth?")
        assert "code_challenge_method=S256" in start.headers["location"]
        r = await http.get("/desk/auth/callback", params={"code": "x", "state": "not-the-state"})
        assert r.status_code == 400 and "state does not match" in r.text
        assert "desk_session" not in http.cookies
