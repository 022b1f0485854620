"""Pre-forked worker processes sharing one listening socket (``accord gateway serve --workers N``).

The parent binds the socket (so a taken port is reported once, before anything forks), forks the
workers, and then only supervises: ``SIGHUP`` is passed on to every worker, ``SIGTERM``/``SIGINT``
stop them gracefully (``SIGKILL`` for any still running after the grace period), and a worker that
dies is replaced. A worker that dies within its first seconds, three times in a row, stops the
whole group: that is a start-up failure, not a crash to paper over. POSIX only.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable

from accord.errors import ServeError
from accord.serve.server import listen_error

log = logging.getLogger("accord.serve")

#: a worker that exits sooner than this after its start counts as failing to start
STARTUP_SECONDS = 5.0
STARTUP_FAILURES = 3
_SIGNALS = {signal.SIGCHLD, signal.SIGHUP, signal.SIGTERM, signal.SIGINT}


def bind(host: str, port: int, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket for ``host:port`` (port 0: a free one), shared by the workers."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise listen_error(host, port, exc) from None
    sock.setblocking(False)
    sock.set_inheritable(True)
    return sock


class Supervisor:
    """Runs ``worker(sock)`` in ``count`` forked processes until told to stop (see the module)."""

    def __init__(
        self,
        sock: socket.socket,
        count: int,
        worker: Callable[[socket.socket], int],
        *,
        graceful_timeout: float = 30.0,
    ) -> None:
        if count < 1:
            raise ServeError("at least one worker is needed")
        self.sock = sock
        self.count = count
        self.worker = worker
        self.graceful_timeout = graceful_timeout
        self.children: dict[int, float] = {}  # pid -> start time
        self.failures = 0
        self.stopping = False
        self.failed = False

    def run(self) -> int:
        """Supervise until the workers are stopped; 0 after a requested stop, 1 after a failure."""
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
        try:
            for _ in range(self.count):
                self._spawn(previous)
            deadline: float | None = None
            while self.children:
                timeout = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic()))
                info = signal.sigtimedwait(_SIGNALS, timeout)
                if info is not None and info.si_signo in (signal.SIGTERM, signal.SIGINT):
                    if not self.stopping:
                        self._stop()
                        deadline = time.monotonic() + self.graceful_timeout + 5.0
                elif info is not None and info.si_signo == signal.SIGHUP:
                    self._signal_all(signal.SIGHUP)
                self._reap(previous)
                if self.stopping and deadline is None:  # stopped by a start-up failure
                    deadline = time.monotonic() + self.graceful_timeout + 5.0
                if deadline is not None and time.monotonic() >= deadline:
                    self._signal_all(signal.SIGKILL)
                    deadline = time.monotonic() + 5.0
            return 1 if self.failed else 0
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            self.sock.close()

    def _spawn(self, mask: set[int | signal.Signals]) -> None:
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)
                code = self.worker(self.sock)
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self.children[pid] = time.monotonic()

    def _reap(self, mask: set[int | signal.Signals]) -> None:
        while self.children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                self.children.clear()
                return
            if pid == 0:
                return
            started = self.children.pop(pid, None)
            if started is None or self.stopping:
                continue
            code = os.waitstatus_to_exitcode(status)
            if time.monotonic() - started < STARTUP_SECONDS:
                self.failures += 1
            else:
                self.failures = 0
            if self.failures >= STARTUP_FAILURES:
                log.error("workers keep failing at start-up (last exit %s): stopping", code)
                self.failed = True
                self._stop()
                continue
            log.warning("worker %d exited (%s); starting a new one", pid, code)
            self._spawn(mask)

    def _stop(self) -> None:
        self.stopping = True
        self._signal_all(signal.SIGTERM)

    def _signal_all(self, sig: signal.Signals) -> None:
        for pid in list(self.children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
