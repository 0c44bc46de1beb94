"""The owners' API, feed and webhooks moved to the partners service: their old dispatch paths answer 308.

A 308 keeps the method and the body, so a client that follows redirects (curl -L, most HTTP libraries when asked)
keeps working while its owner updates the base URL; the Location is the partners service's public URL.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from services.kit.settings import peer_urls

router = APIRouter(tags=["moved to partners"])
MOVED = ("/v1/owner", "/v1/webhooks")


@router.api_route("/v1/owner/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
@router.api_route("/v1/webhooks", methods=["GET", "POST"], include_in_schema=False)
@router.api_route("/v1/webhooks/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                  include_in_schema=False)
async def moved(request: Request) -> RedirectResponse:
    base = peer_urls(request.app.state.runtime.d.common, ["partners"])["partners"].rstrip("/")
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"{base}{request.url.path}{query}", status_code=308,
                            headers={"Deprecation": "true", "Link": f'<{base}/docs>; rel="successor-version"'})
