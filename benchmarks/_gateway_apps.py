"""Servers for the gateway benchmark, each run in its own process under uvicorn (uvloop, httptools).

``python -m benchmarks._gateway_apps upstream PORT``: a raw ASGI app answering 1 KB of JSON.
``python -m benchmarks._gateway_apps upstream-accord PORT``: the same app on accord.serve (what the
gateway runs on), to measure the two servers' own cost per request side by side.
``python -m benchmarks._gateway_apps aiohttp PORT UPSTREAM``: a ~30-line pass-through, pooled aiohttp.
``python -m benchmarks._gateway_apps httpx PORT UPSTREAM``: the same with a pooled httpx.AsyncClient.
The pass-throughs are what a user would write in a few minutes: default client settings.
"""

from __future__ import annotations

import sys
from typing import Any

import orjson

PAYLOAD = orjson.dumps(
    {
        "orderId": "SO-2025-000123",
        "status": "accepted",
        "customerId": "CUS-10042",
        "lines": [
            {
                "lineId": f"L{i}",
                "sku": f"SKU-{i:05d}",
                "quantity": {"value": "12", "uom": "EA"},
                "price": "19.99",
            }
            for i in range(9)
        ],
    }
)
_HOP = {b"host", b"content-length", b"connection", b"transfer-encoding", b"keep-alive"}


async def upstream(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(PAYLOAD)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": PAYLOAD})


class AiohttpPassThrough:
    def __init__(self, base: str) -> None:
        self.base = base
        self.session: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        import aiohttp

        if scope["type"] != "http":
            return
        if self.session is None:
            self.session = aiohttp.ClientSession()
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"] if k not in _HOP]
        url = self.base + scope["path"]
        async with self.session.request(scope["method"], url, headers=headers, data=body) as response:
            payload = await response.read()
            out = [
                (k.encode(), v.encode())
                for k, v in response.headers.items()
                if k.lower().encode() not in _HOP
            ]
        await send({"type": "http.response.start", "status": response.status, "headers": out})
        await send({"type": "http.response.body", "body": payload})


class HttpxPassThrough:
    def __init__(self, base: str) -> None:
        self.base = base
        self.client: Any = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        import httpx

        if scope["type"] != "http":
            return
        if self.client is None:
            self.client = httpx.AsyncClient()
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"] if k not in _HOP]
        response = await self.client.request(
            scope["method"], self.base + scope["path"], headers=headers, content=body
        )
        out = [
            (k.encode(), v.encode()) for k, v in response.headers.items() if k.lower().encode() not in _HOP
        ]
        await send({"type": "http.response.start", "status": response.status_code, "headers": out})
        await send({"type": "http.response.body", "body": response.content})


def main(argv: list[str]) -> None:
    import uvicorn

    kind, port = argv[0], int(argv[1])
    if kind == "upstream-accord":
        from accord.serve import run

        run(upstream, "127.0.0.1", port)
        return
    app: Any = upstream
    if kind == "aiohttp":
        app = AiohttpPassThrough(argv[2])
    elif kind == "httpx":
        app = HttpxPassThrough(argv[2])
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        log_level="warning",
        access_log=False,
        ws="none",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
