"""The one error tree of the engine. User-facing errors carry a :class:`Location` where there is one.

Only the CLI maps these to exit codes: :class:`InputError` and :class:`UsageError` are exit 2.
"""

from __future__ import annotations

from accord.model import Location


class AccordError(Exception):
    """Base of every error the engine raises on purpose."""

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is not None:
            return f"{self.location}: {self.message}"
        return self.message


class UsageError(AccordError):
    """The caller asked for something that does not make sense (bad option, unknown domain)."""


class InputError(AccordError):
    """An input could not be read or understood at all (missing file, bad encoding, bad syntax)."""


class ParseError(InputError):
    """YAML/JSON syntax error, duplicate key, alias bomb, non-UTF-8 bytes."""


class UnsupportedSpecError(InputError):
    """A document of a kind or version Accord does not handle (e.g. Swagger 2.0)."""


class RefError(InputError):
    """A ``$ref`` that cannot be followed: dangling, cyclic, outside the root, or remote."""


class ConfigError(InputError):
    """``accord.yaml`` or a gateway configuration is invalid."""


class ServeError(AccordError):
    """A server could not start or run: the address is taken, or the application failed to start."""
