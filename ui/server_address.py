"""Tell each page of the app where its server is (ASGI middleware for ``ui/server.py``).

Streamlit's browser code does not know the server's address, so a page opened (or reloaded)
at ``/optimize`` first asks ``/optimize/_stcore/health`` and ``/optimize/_stcore/host-config``,
gets two 404s in the browser's console, and only then asks ``/`` (streamlit/streamlit#7074).
Streamlit's embedding setting ``window.__streamlit.BACKEND_BASE_URL`` gives it the address;
``ServerAddress`` writes that setting into every page the server sends.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SERVER_ADDRESS_SCRIPT = (
    "<script>window.__streamlit = Object.assign(window.__streamlit || {}, "
    "{BACKEND_BASE_URL: window.location.origin + %s});</script>"
)
"""Streamlit's embedding setting, the server's address (origin plus its base path)."""


def address_script(base_url_path: str) -> bytes:
    """The ``<script>`` that tells the page where the server is (``base_url_path`` is
    Streamlit's ``server.baseUrlPath``, empty when the app is served at ``/``)."""
    path = "/" + base_url_path.strip("/") + "/" if base_url_path.strip("/") else "/"
    return (SERVER_ADDRESS_SCRIPT % json.dumps(path)).encode()


class ServerAddress:
    """ASGI middleware: put :func:`address_script` at the top of every HTML page served."""

    def __init__(self, app: ASGIApp, base_url_path: str = "") -> None:
        self.app = app
        self.script = address_script(base_url_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        is_get = scope["type"] == "http" and scope.get("method") == "GET"
        request_headers = dict(scope.get("headers", [])) if is_get else {}
        if b"text/html" not in request_headers.get(b"accept", b""):
            await self.app(scope, receive, send)  # not a page: scripts, data, the websocket
            return
        # the page uncompressed, so the script can go in (a page is 8 kB)
        headers = [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]
        scope = dict(scope, headers=headers)
        start: Message | None = None
        body = bytearray()

        async def send_with_script(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if not content_type.startswith(b"text/html"):
                    await send(message)
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body", False):
                return
            page = bytes(body).replace(b"<head>", b"<head>" + self.script, 1)
            headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
            headers.append((b"content-length", str(len(page)).encode()))
            await send(dict(start, headers=headers))
            await send({"type": "http.response.body", "body": page, "more_body": False})

        await self.app(scope, receive, send_with_script)
