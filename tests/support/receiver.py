"""A real HTTP webhook receiver on 127.0.0.1 for tests: answers scripted status codes and keeps what it got."""
from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

import uvicorn


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers ``script`` in order (then ``then``) and records every request."""
    script: list[int] = field(default_factory=list)
    then: int = 200
    got: list[Received] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.got.append(Received({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        status = self.script.pop(0) if self.script else self.then
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": f"answered {status}".encode()})


async def serve(receiver: Receiver) -> tuple[uvicorn.Server, asyncio.Task]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        receiver.port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(receiver, host="127.0.0.1", port=receiver.port, log_level="warning",
                                           lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    return server, task


class ThreadedReceiver:
    """The same receiver for synchronous tests: a standard-library HTTP server on its own thread."""

    def __init__(self, script: list[int] | None = None, then: int = 200) -> None:
        import http.server
        import threading
        outer = self
        self.script, self.then, self.got = list(script or []), then, []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                outer.got.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
                status = outer.script.pop(0) if outer.script else outer.then
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ThreadedReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
