"""``--stateful``: per domain, create -> read -> update (If-Match) -> delete through the mock."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from accord_cli.mockserver import MockApp, build_app

from accord.contracts import ContractSet
from accord.mock.plan import MockOperation
from accord.mock.store import decode_cursor, encode_cursor, etag_matches, merge_patch
from tests.mock.conftest import ROOT

DOMAINS = [
    "customers",
    "items",
    "pricing",
    "inventory",
    "orders",
    "fulfillment",
    "shipments",
    "invoices",
    "returns",
]


def test_merge_patch_follows_rfc_7396() -> None:
    target = {"a": "b", "c": {"d": "e", "f": "g"}}
    assert merge_patch(target, {"a": "z", "c": {"f": None}}) == {"a": "z", "c": {"d": "e"}}
    assert merge_patch({"a": [1]}, {"a": [2, 3]}) == {"a": [2, 3]}
    assert merge_patch(target, {"new": {"x": 1}})["new"] == {"x": 1}


def test_if_match_and_cursors() -> None:
    assert etag_matches('"a", "b"', '"b"') and etag_matches("*", '"x"') and not etag_matches('"a"', '"b"')
    assert decode_cursor(encode_cursor(25)) == 25
    assert decode_cursor("garbage!") is None


def _example(node: dict[str, Any]) -> Any:
    content = node.get("content") or {}
    for media in content.values():
        for example in (media.get("examples") or {}).values():
            return example["value"]
    return None


def _headers(op: MockOperation) -> dict[str, str]:
    headers = {}
    for param in op.params:
        if param.location == "header" and param.required and param.name.lower() != "if-match":
            headers[param.name] = "key-" + param.name.lower().replace("-", "")[:20] + "-0001"
    return headers


class Flow:
    def __init__(self, app: MockApp, corpus: ContractSet, domain: str) -> None:
        self.app = app
        self.domain = domain
        self.doc = next(c.openapi for c in corpus.contracts() if c.domain == domain)
        self.ops = [op for op in app.responder.plan.operations if op.domain == domain and op.resource]

    def op(self, collection: str, action: str) -> MockOperation | None:
        return next(
            (
                o
                for o in self.ops
                if o.resource and o.resource.collection == collection and o.resource.action == action
            ),
            None,
        )

    def request_example(self, op: MockOperation) -> Any:
        node = self.doc.data["paths"][op.path][op.method.lower()]
        return _example(node.get("requestBody") or {})


async def _create(client: httpx.AsyncClient, flow: Flow, op: MockOperation, path: str) -> httpx.Response:
    body = flow.request_example(op)
    media = op.body_media_types[0] if op.body_media_types else "application/json"
    return await client.post(path, json=body, headers={**_headers(op), "content-type": media})


@pytest.mark.parametrize("domain", DOMAINS)
def test_create_read_update_delete(corpus: ContractSet, domain: str) -> None:
    if not (ROOT / "contracts" / domain / "openapi.yaml").is_file():
        pytest.skip(f"{domain} has no contract yet")
    app = build_app(corpus, [domain], stateful=True)
    flow = Flow(app, corpus, domain)
    top = [
        c
        for c in dict.fromkeys(o.resource.collection for o in flow.ops if o.resource)
        if flow.op(c, "create") and flow.op(c, "read") and "{" not in c
    ]
    assert top, f"{domain} has no top-level collection with create and read"

    async def scenario() -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://mock"
        ) as client:
            collection = next((c for c in top if flow.op(c, "update")), top[0])
            create = flow.op(collection, "create")
            assert create is not None
            created = await _create(client, flow, create, collection)
            assert created.status_code == create.default_status, created.text
            location, etag = created.headers["location"], created.headers["etag"]
            id_param = create.resource.id_param if create.resource else None
            assert location.startswith(collection + "/")
            assert created.json()[id_param] == location.rsplit("/", 1)[1]
            again = await _create(client, flow, create, collection)  # same Idempotency-Key: same resource
            assert again.headers["location"] == location
            read = await client.get(location)
            assert read.status_code == 200 and read.json() == created.json()
            assert read.headers["etag"] == etag
            listing = flow.op(collection, "list")
            if listing is not None:
                page = await client.get(collection, params={"limit": 1})
                assert page.status_code == 200, page.text
                assert [i[id_param] for i in page.json()["items"]] == [location.rsplit("/", 1)[1]]
                assert page.json()["nextCursor"] is None
            update = flow.op(collection, "update")
            if update is not None:
                patch = flow.request_example(update)
                media = update.body_media_types[0]
                stale = await client.patch(
                    location, json=patch, headers={"If-Match": '"stale"', "content-type": media}
                )
                assert stale.status_code == 412, stale.text
                updated = await client.patch(
                    location, json=patch, headers={"If-Match": etag, "content-type": media}
                )
                assert updated.status_code == 200, updated.text
                assert updated.headers["etag"] != etag
                for key, value in patch.items():
                    if not isinstance(value, (dict, list)) and value is not None:
                        assert updated.json().get(key) == value, key
                assert (await client.get(location)).json() == updated.json()
            await _delete_somewhere(client, flow)
            missing = await client.get(f"{collection}/{'0' * 3}")
            assert missing.status_code in (400, 404)

    asyncio.run(scenario())


async def _delete_somewhere(client: httpx.AsyncClient, flow: Flow) -> None:
    """Delete in the first collection that documents DELETE (creating its parent first)."""
    delete = next((o for o in flow.ops if o.resource and o.resource.action == "delete"), None)
    if delete is None or delete.resource is None:
        return
    collection = delete.resource.collection
    path = collection
    if delete.resource.parent_params:
        parent_collection = collection.rsplit("/", 2)[0]
        parent_create = flow.op(parent_collection, "create")
        assert parent_create is not None
        parent = await _create(client, flow, parent_create, parent_collection)
        assert parent.status_code == parent_create.default_status, parent.text
        path = collection.replace(
            "{" + delete.resource.parent_params[-1] + "}", parent.headers["location"].rsplit("/", 1)[1]
        )
    create = flow.op(collection, "create")
    assert create is not None
    created = await _create(client, flow, create, path)
    assert created.status_code == create.default_status, created.text
    location = created.headers["location"]
    gone = await client.delete(location, headers={"If-Match": created.headers["etag"]})
    assert gone.status_code == delete.default_status, gone.text
    assert (await client.get(location)).status_code == 404
