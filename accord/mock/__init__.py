"""``accord mock``, engine side: compiled plans, example selection, fake data, stateful store.

The ASGI application and the server live in the CLI (``accord_cli.mockserver``): the engine does
no network I/O.
"""

from __future__ import annotations

from accord.mock.events import EventMock, event_mocks, fresh
from accord.mock.fake import Faker, gs1_check_digit, is_valid_gs1
from accord.mock.plan import MockOperation, MockPlan, compile_plan
from accord.mock.respond import Answer, MockRequest, Prefer, Responder, parse_prefer
from accord.mock.store import Store, etag_of, merge_patch

__all__ = [
    "Answer",
    "EventMock",
    "Faker",
    "MockOperation",
    "MockPlan",
    "MockRequest",
    "Prefer",
    "Responder",
    "Store",
    "compile_plan",
    "etag_of",
    "event_mocks",
    "fresh",
    "gs1_check_digit",
    "is_valid_gs1",
    "merge_patch",
    "parse_prefer",
]
