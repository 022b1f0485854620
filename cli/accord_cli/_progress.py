"""A transient status line on stderr that appears only when work takes longer than a second.

Short runs never import rich (it costs start-up time); a long one (a multi-megabyte document) gets a
spinner naming the current stage. Disabled with ``--quiet`` and when stderr is not a terminal.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import IO, Any


class Progress:
    """Context manager; call :meth:`update` with the current stage as work proceeds."""

    def __init__(self, enabled: bool, *, delay: float = 1.0, color: bool = True, file: IO[str] | None = None):
        self.enabled = enabled
        self.delay = delay
        self.color = color
        self.file = file
        self.shown = False
        self._text = "working"
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._status: Any = None
        self._closed = False

    def __enter__(self) -> Progress:
        if self.enabled:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def update(self, text: str) -> None:
        with self._lock:
            self._text = text
            if self._status is not None:
                self._status.update(text)

    def _show(self) -> None:
        with self._lock:
            if self._closed:
                return
            from rich.console import Console

            console = Console(stderr=self.file is None, file=self.file, no_color=not self.color)
            self._status = console.status(self._text)
            self._status.start()
            self.shown = True

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._status is not None:
                self._status.stop()
                self._status = None
