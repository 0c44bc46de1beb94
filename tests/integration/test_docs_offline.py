"""The API docs work offline: Swagger UI is served from the service itself, no CDN."""
from __future__ import annotations

import httpx
import pytest

from services.intake.bootstrap import build_app
from tests.support.runtime import runtime


@pytest.mark.parametrize("path", ["/docs"])
async def test_docs_load_their_assets_from_the_service(path, tmp_path, monkeypatch):
    rt = runtime("intake", f"sqlite+aiosqlite:///{tmp_path}/t.db", monkeypatch)
    app = build_app(rt, run_relay=False, run_consumer=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        page = await c.get(path)
        assert page.status_code == 200 and "cdn.jsdelivr" not in page.text and "unpkg" not in page.text
        for asset in ("/static/kit/swagger-ui/swagger-ui-bundle.js", "/static/kit/swagger-ui/swagger-ui.css"):
            assert asset in page.text
            r = await c.get(asset)
            assert r.status_code == 200 and len(r.content) > 100_000
    await rt.dispose()
