"""A minimal HTTP/1.1 keep-alive client on asyncio streams: cheap enough not to starve the server."""
from __future__ import annotations

import asyncio
import json
from typing import Any


class HttpError(RuntimeError):
    pass


class Connection:
    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self._head = f"Host: {host}:{port}\r\nContent-Type: application/json\r\n{extra}".encode()
        self._r: asyncio.StreamReader | None = None
        self._w: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self._r, self._w = await asyncio.open_connection(self.host, self.port)

    def close(self) -> None:
        if self._w is not None:
            self._w.close()
        self._r = self._w = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        reused = self._w is not None
        try:
            return await self._exchange(method, path, body)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self.close()
            # a reused connection closed before any reply byte: the server dropped an idle keep-alive
            # connection (uvicorn does after 5 s), so the request was never handled; send it once more
            stale = reused and (not isinstance(exc, asyncio.IncompleteReadError) or not exc.partial)
            if not stale:
                raise HttpError(f"connection lost: {exc!r}") from exc
        try:
            return await self._exchange(method, path, body)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            self.close()
            raise HttpError(f"connection lost: {exc!r}") from exc

    async def _exchange(self, method: str, path: str, body: bytes) -> tuple[int, bytes]:
        if self._w is None:
            await self._open()
        assert self._r is not None and self._w is not None
        self._w.write(b"%s %s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s"
                      % (method.encode(), path.encode(), self._head, len(body), body))
        head = await self._r.readuntil(b"\r\n\r\n")
        status, length, close = _parse_head(head)
        data = await self._r.readexactly(length)
        if close:
            self.close()
        return status, data

    async def json(self, method: str, path: str, payload: Any = None) -> tuple[int, Any]:
        status, data = await self.request(method, path, json.dumps(payload).encode() if payload is not None else b"")
        return status, json.loads(data) if data else None


def _parse_head(head: bytes) -> tuple[int, int, bool]:
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            raise HttpError("chunked responses are not supported by the benchmark client")
        elif name == b"connection" and value.strip().lower() == b"close":
            close = True
    return status, length, close
