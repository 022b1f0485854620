"""Reading a dead letter's origin from RabbitMQ's x-death header (no broker needed)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accord.events.replay import REPLAYS_HEADER, dead_letter_queue_name, describe
from tests.events._support import ADDRESS, body


def death(queue: str, exchange: str, *keys: str | bytes, count: int = 1) -> dict[str, object]:
    return {
        "count": count,
        "reason": "rejected",
        "queue": queue,
        "time": datetime(2026, 1, 1, tzinfo=UTC),
        "exchange": exchange,
        "routing-keys": list(keys),
    }


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("orders-service", "orders-service.dlq"),
        ("orders-service.dlq", "orders-service.dlq"),
        ("distribution.events.dead-letters", "distribution.events.dead-letters"),
    ],
)
def test_dead_letter_queue_name(given: str, expected: str) -> None:
    assert dead_letter_queue_name(given) == expected


def test_the_entry_of_the_source_queue_wins_over_later_deaths() -> None:
    headers = {
        "x-death": [
            death("audit", "audit.fanout", "audit.all"),  # most recent, elsewhere
            death("orders-service", "distribution.events", ADDRESS, "orders.cc", count=3),
        ],
        REPLAYS_HEADER: 2,
    }
    info = describe(headers, body(7), "m-7", "orders-service")
    assert (info.exchange, info.routing_key, info.queue, info.reason) == (
        "distribution.events",
        ADDRESS,
        "orders-service",
        "rejected",
    )
    assert (info.deaths, info.replays, info.event_id, info.message_id) == (3, 2, "evt-0007", "m-7")


def test_without_a_matching_entry_the_most_recent_is_used_and_bytes_are_decoded() -> None:
    headers = {"x-death": [death("amq.gen-1", "distribution.events", ADDRESS.encode())]}
    info = describe(headers, b"not json", None, None)
    assert (info.routing_key, info.queue, info.event_id, info.event_type) == (
        ADDRESS,
        "amq.gen-1",
        None,
        None,
    )


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-death": []}, {"x-death": "garbage"}, {"x-death": [death("q", "x")]}],
)
def test_no_usable_x_death_means_no_route(headers: dict[str, object]) -> None:
    info = describe(headers, body(1), None, "q")
    assert info.routing_key is None and info.event_id == "evt-0001"
