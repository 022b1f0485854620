"""The server runs on uvloop in production (:func:`accord.serve.run`) and on plain asyncio in the
test helpers (``tests/_serving.py``): every test here runs on both."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(
    params=[
        pytest.param(("asyncio", {"use_uvloop": False}), id="asyncio"),
        pytest.param(("asyncio", {"use_uvloop": True}), id="uvloop"),
    ]
)
def anyio_backend(request: pytest.FixtureRequest) -> Any:
    return request.param
