"""Interactive API docs at /docs from vendored Swagger UI: they work offline (no CDN)."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    app.mount("/static/kit", StaticFiles(directory=STATIC), name="kit-static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - API docs",
            swagger_js_url="/static/kit/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/kit/swagger-ui/swagger-ui.css", swagger_favicon_url="",
            swagger_ui_parameters={"persistAuthorization": True})
