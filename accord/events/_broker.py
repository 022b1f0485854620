"""Opening a short-lived AMQP connection for operator commands, with errors a person can act on."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import aio_pika
import aiormq.exceptions
from aio_pika.abc import AbstractConnection

from accord.errors import AccordError, UsageError
from accord.model import Location


class BrokerUnavailable(AccordError):
    """The broker could not be reached, refused the login, or dropped the connection."""


def redact(url: str) -> str:
    """``url`` with its password replaced by ``***`` (safe to print)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


async def open_connection(url: str, *, timeout: float = 10.0, where: str = "--broker") -> AbstractConnection:
    """A plain (non-robust) connection to ``url``; :class:`BrokerUnavailable` when that fails."""
    if urlsplit(url).scheme not in ("amqp", "amqps"):
        raise UsageError(f"expected an amqp:// or amqps:// URL, got {redact(url)!r}", Location(where))
    try:
        return await aio_pika.connect(url, timeout=timeout)
    except aiormq.exceptions.ProbableAuthenticationError as exc:
        raise BrokerUnavailable(
            f"the broker at {redact(url)} refused the login: {_reason(exc)}", Location(where)
        ) from exc
    except (TimeoutError, OSError) as exc:  # aiormq's connection errors are OSErrors
        raise BrokerUnavailable(
            f"cannot reach the broker at {redact(url)}: {_reason(exc)}", Location(where)
        ) from exc
    except Exception as exc:  # a protocol-level refusal (unknown vhost) is not an OSError
        raise BrokerUnavailable(
            f"the broker at {redact(url)} refused the connection: {_reason(exc)}", Location(where)
        ) from exc


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    args = [a for a in exc.args if a not in (None, "")]
    if len(args) == 2 and isinstance(args[0], int):  # (errno, message)
        return str(args[1])
    return str(args[0]) if args else type(exc).__name__
