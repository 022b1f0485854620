"""A mock upstream that answers every operation of a contract set with its documented example."""

from __future__ import annotations

from typing import Any

import orjson
from accord_gateway.routing import Router

from accord.contracts import ContractSet
from accord.policy import compile_contract_set
from accord.spec.openapi import iter_operations, responses


def _example(response: dict[str, Any]) -> tuple[str, Any] | None:
    content = response.get("content")
    if not isinstance(content, dict):
        return None
    for media_type, media in content.items():
        if not isinstance(media, dict):
            continue
        examples = media.get("examples")
        if isinstance(examples, dict):
            for example in examples.values():
                if isinstance(example, dict) and "value" in example:
                    return media_type, example["value"]
        if "example" in media:
            return media_type, media["example"]
    return None


class ExampleUpstream:
    """ASGI app: the first documented 2xx response of the matched operation, with its example."""

    def __init__(self, contract_set: ContractSet) -> None:
        self.router = Router(compile_contract_set(contract_set))
        self.answers: dict[tuple[str, str], tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
        self.calls = 0
        for doc in contract_set.documents:
            if doc.kind != "openapi":
                continue
            for op in iter_operations(doc):
                for status, response in sorted(responses(op.node).items()):
                    if not status.startswith("2"):
                        continue
                    found = _example(response)
                    headers = [(b"etag", b'"v1"'), (b"location", b"/v1/created")]
                    if found is None:
                        self.answers[(op.method.upper(), op.path)] = (int(status), headers, b"")
                    else:
                        media_type, value = found
                        headers.append((b"content-type", media_type.encode()))
                        self.answers[(op.method.upper(), op.path)] = (
                            int(status),
                            headers,
                            orjson.dumps(value),
                        )
                    break

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        self.calls += 1
        match = self.router.match(scope["method"], scope["raw_path"])
        answer = None
        if match is not None and match.policy is not None:
            answer = self.answers.get((match.policy.method, match.policy.path))
        status, headers, body = answer or (404, [(b"content-type", b"application/json")], b"{}")
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
