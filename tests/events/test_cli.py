"""`accord events`: clean errors without a broker, and `tail` printing events as JSON lines."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from accord_cli.main import cli
from click.testing import CliRunner, Result

from accord.events._broker import redact
from accord.events.amqp import AmqpTransport
from tests.events._support import ADDRESS, BrokerNames, body

ROOT = Path(__file__).resolve().parents[2]
NOWHERE = "amqp://guest:secret@127.0.0.1:1/"


def run(*args: str) -> Result:
    result = CliRunner().invoke(cli, ["events", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def test_events_is_registered_with_both_subcommands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert "replay" in result.stdout and "tail" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("replay", "--from-dlq", "orders-service", "--broker", NOWHERE),
        ("replay", "--from-dlq", "orders-service", "--broker", NOWHERE, "--dry-run", "--limit", "5"),
        ("tail", "orders.#", "--broker", NOWHERE, "--timeout", "1"),
    ],
)
def test_unreachable_broker_is_exit_2_with_one_line(args: tuple[str, ...]) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --broker: cannot reach the broker at amqp://guest:***@127.0.0.1:1/: "
        "Connect call failed ('127.0.0.1', 1)\n"
    )
    assert "secret" not in result.output and "Traceback" not in result.output


def test_broker_from_the_environment() -> None:
    result = CliRunner(env={"ACCORD_BROKER_URL": NOWHERE}).invoke(
        cli, ["events", "replay", "--from-dlq", "q"]
    )
    assert result.exit_code == 2 and "127.0.0.1:1" in result.stderr


def test_a_url_that_is_not_amqp_is_a_usage_error() -> None:
    result = run("tail", "orders.#", "--broker", "http://127.0.0.1:15672/")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "error: --broker: expected an amqp:// or amqps:// URL, got 'http://127.0.0.1:15672/'\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("replay",), "Missing option '--from-dlq'"),
        (("replay", "--from-dlq", "q", "--limit", "-1"), "Invalid value for '--limit'"),
        (("tail", "orders.#", "--count", "0"), "Invalid value for '--count'"),
        (("tail",), "Missing argument 'PATTERN'"),
    ],
)
def test_bad_options_are_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2 and message in result.stderr


def test_redact_hides_only_the_password() -> None:
    assert (
        redact("amqps://svc:p%40ss@rabbit.internal:5671/prod") == "amqps://svc:***@rabbit.internal:5671/prod"
    )
    assert redact("amqp://rabbit.internal/") == "amqp://rabbit.internal/"


@pytest.mark.rabbitmq
def test_wrong_password_is_exit_2(amqp_url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(amqp_url)
    wrong = parts._replace(netloc=f"{parts.username}:not-the-password@{parts.hostname}:{parts.port}").geturl()
    result = run("replay", "--from-dlq", "q", "--broker", wrong)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: --broker: the broker at {redact(wrong)} refused the login: ACCESS_REFUSED"
    )


@pytest.mark.rabbitmq
def test_tail_prints_matching_events_as_json_lines(amqp_url: str, names: BrokerNames) -> None:
    command = [sys.executable, "-m", "accord_cli.main", "events", "tail", "orders.#"]
    command += ["--broker", amqp_url, "--exchange", names.exchange, "--count", "3", "--timeout", "20"]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"}
    )
    try:
        assert process.stderr is not None
        banner = process.stderr.readline().decode()
        assert banner == f"tailing 'orders.#' on exchange {names.exchange!r} at {redact(amqp_url)}\n"

        async def publish() -> None:
            transport = AmqpTransport(amqp_url, exchange=names.exchange)
            try:
                await transport.publish(ADDRESS, body(1))
                await transport.publish("items.item.created.v1", body(2))  # does not match
                await transport.publish("orders.order.cancelled.v1", b"not json")
                await transport.publish(ADDRESS, body(3))
            finally:
                await transport.close()

        asyncio.run(publish())
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    lines = [json.loads(line) for line in out.decode().splitlines()]
    assert lines == [
        json.loads(body(1)),
        {"routingKey": "orders.order.cancelled.v1", "body": "not json"},
        json.loads(body(3)),
    ]


@pytest.mark.rabbitmq
def test_tail_that_sees_too_few_events_is_exit_1(amqp_url: str, names: BrokerNames) -> None:
    result = run(
        "tail",
        "orders.#",
        "--broker",
        amqp_url,
        "--exchange",
        names.exchange,
        "--count",
        "1",
        "--timeout",
        "0.3",
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.endswith("error: saw 0 of 1 event(s) before the 0.3s timeout\n")
