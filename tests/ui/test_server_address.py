"""``ui/server_address.py``: the page says where its server is, and nothing else is touched."""

from __future__ import annotations

import asyncio
from typing import Any

from ui.server_address import ServerAddress, address_script

PAGE = b"<!doctype html><html><head><title>app</title></head><body></body></html>"


def serve(scope: dict[str, Any], content_type: bytes, body: bytes) -> tuple[dict, bytes, dict]:
    """One request through the middleware around an app answering ``body``."""
    seen: dict[str, Any] = {}
    sent: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.update(scope)
        headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body[:10], "more_body": True})
        await send({"type": "http.response.body", "body": body[10:], "more_body": False})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(ServerAddress(app)(scope, receive, send))
    start = sent[0]
    return dict(start["headers"]), b"".join(m.get("body", b"") for m in sent[1:]), seen


def request(accept: bytes, method: str = "GET") -> dict[str, Any]:
    headers = [(b"accept", accept), (b"accept-encoding", b"gzip")]
    return {"type": "http", "method": method, "path": "/optimize", "headers": headers}


def test_a_page_gets_the_servers_address_first_in_its_head() -> None:
    headers, body, seen = serve(request(b"text/html,*/*"), b"text/html; charset=utf-8", PAGE)
    script = address_script("")
    assert body == PAGE.replace(b"<head>", b"<head>" + script)
    assert headers[b"content-length"] == str(len(body)).encode()
    assert b'window.location.origin + "/"' in script
    assert b"accept-encoding" not in dict(seen["headers"])  # the page is not compressed


def test_scripts_data_and_other_methods_pass_untouched() -> None:
    for scope in (request(b"*/*"), request(b"text/html", method="HEAD")):
        headers, body, seen = serve(scope, b"text/html", PAGE)
        assert body == PAGE and headers[b"content-length"] == str(len(PAGE)).encode()
        assert dict(seen["headers"])[b"accept-encoding"] == b"gzip"


def test_a_base_path_is_part_of_the_address() -> None:
    assert b'"/sourcing/"' in address_script("/sourcing/")
    assert b'"/"' in address_script("")
