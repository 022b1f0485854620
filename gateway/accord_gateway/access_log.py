"""JSON access log: one line per request with trace id, client, route template, status, latency
and what each policy decided. Lines are batched and written at most every 50 ms (one write call
per batch instead of one per request)."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from typing import IO

import orjson

from accord_gateway.exchange import Exchange

Sink = Callable[[bytes], None]
FLUSH_INTERVAL = 0.05


def entry(ex: Exchange, status: int, seconds: float) -> dict[str, object]:
    return {
        "ts": round(time.time(), 3),
        "traceId": ex.trace_id,
        "client": ex.client_id,
        "ip": ex.client_ip,
        "method": ex.method,
        "route": ex.route,
        "path": ex.raw_path.decode("latin-1")[:512],
        "operationId": ex.policy.operation_id if ex.policy else None,
        "status": status,
        "latencyMs": round(seconds * 1000, 3),
        "decisions": ex.decisions,
    }


class AccessLog:
    """Writes to ``sink`` (called with whole lines) or to a file/stdout."""

    def __init__(self, sink: Sink | None = None, *, path: str = "-", enabled: bool = True) -> None:
        self.enabled = enabled
        self._file: IO[bytes] | None = None
        if sink is None and enabled:
            if path == "-":
                self._file = sys.stdout.buffer
            else:
                self._file = open(path, "ab")  # noqa: SIM115 - kept open for the process lifetime
            sink = self._write_file
        self._sink = sink
        self._pending: list[bytes] = []
        self._timer: asyncio.TimerHandle | None = None

    def _write_file(self, data: bytes) -> None:
        assert self._file is not None
        self._file.write(data)
        self._file.flush()

    def write(self, ex: Exchange, status: int, seconds: float) -> None:
        if not self.enabled or self._sink is None:
            return
        line = orjson.dumps(entry(ex, status, seconds), option=orjson.OPT_APPEND_NEWLINE)
        if self._file is None:
            self._sink(line)
            return
        self._pending.append(line)
        if self._timer is None:
            try:
                self._timer = asyncio.get_running_loop().call_later(FLUSH_INTERVAL, self.flush)
            except RuntimeError:
                self.flush()

    def flush(self) -> None:
        self._timer = None
        if self._pending and self._sink is not None:
            data = b"".join(self._pending)
            self._pending.clear()
            self._sink(data)

    def close(self) -> None:
        self.flush()
        if self._file is not None and self._file is not sys.stdout.buffer:
            self._file.close()
