"""Circuit breaker per upstream: closed -> open after N failures in a row -> half-open probe.

While open, requests are answered 503 at once (with ``Retry-After``) instead of piling onto an
upstream that is down. After ``reset_after`` seconds one request is let through as a probe: its
success closes the circuit, its failure opens it again for another ``reset_after``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable


class CircuitBreaker:
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    def __init__(
        self, failures: int = 5, reset_after: float = 10.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.threshold = failures
        self.reset_after = reset_after
        self.clock = clock
        self.state = self.CLOSED
        self.failures = 0
        self.opened_at = 0.0
        self._probing = False

    def allow(self) -> float:
        """0 when a request may go to the upstream, else seconds to wait (for ``Retry-After``)."""
        if self.state == self.CLOSED:
            return 0.0
        now = self.clock()
        if self.state == self.OPEN:
            remaining = self.opened_at + self.reset_after - now
            if remaining > 0:
                return remaining
            self.state = self.HALF_OPEN
            self._probing = False
        if self._probing:  # half-open: one probe at a time
            return max(1.0, self.reset_after / 10)
        self._probing = True
        return 0.0

    def retry_after(self, wait: float) -> int:
        return max(1, math.ceil(wait))

    def success(self) -> None:
        self.state = self.CLOSED
        self.failures = 0
        self._probing = False

    def abort(self) -> None:
        """The request ended without telling anything about the upstream (e.g. the client left)."""
        self._probing = False

    def failure(self) -> None:
        self.failures += 1
        if self.state == self.HALF_OPEN or self.failures >= self.threshold:
            self.state = self.OPEN
            self.opened_at = self.clock()
            self._probing = False
