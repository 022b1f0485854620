"""Run an ASGI app on :mod:`accord.serve` (what `accord mock` and `accord gateway serve` use) in a
background thread, for tests that talk to it over real sockets."""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from accord.serve import Limits, Server


def child_pids(pid: int) -> set[int]:
    """The process ids of ``pid``'s children (Linux ``/proc``)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


@contextmanager
def served(
    app: Any, limits: Limits | None = None, timeout: float = 15.0, ssl_context: ssl.SSLContext | None = None
) -> Iterator[str]:
    """Yield the base URL of ``app`` served on 127.0.0.1 (a free port); stop it afterwards."""
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    server = Server(app, "127.0.0.1", 0, limits, ssl_context=ssl_context)
    ready = threading.Event()
    failure: list[BaseException] = []

    def started(_: Server) -> None:
        ready.set()

    def main() -> None:
        try:
            loop.run_until_complete(server.serve(stop, started))
        except BaseException as exc:  # reported to the test below
            failure.append(exc)
            ready.set()
        finally:
            loop.close()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    assert ready.wait(timeout), "the server did not start"
    if failure:
        raise failure[0]
    try:
        yield f"{'https' if ssl_context else 'http'}://127.0.0.1:{server.port}"
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
