"""The mock server of ``accord mock``: ASGI app, event publishing and the runner (:mod:`accord.serve`)."""

from __future__ import annotations

from accord_cli.mockserver.app import MockApp
from accord_cli.mockserver.build import build_app
from accord_cli.mockserver.events import EventPublisher, UnknownEvent

__all__ = ["EventPublisher", "MockApp", "UnknownEvent", "build_app"]
