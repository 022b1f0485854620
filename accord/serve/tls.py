"""TLS for :mod:`accord.serve`: a server context from PEM files, optionally verifying client
certificates against a CA (mutual TLS)."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Literal

from accord.errors import ServeError

ClientCerts = Literal["none", "optional", "required"]


def server_context(
    cert_file: str | Path,
    key_file: str | Path,
    *,
    client_ca_file: str | Path | None = None,
    client_certs: ClientCerts = "none",
) -> ssl.SSLContext:
    """A TLS 1.2+ server context. ``client_certs``: ``optional`` asks for a client certificate and
    verifies one that is sent; ``required`` refuses the handshake without one. Both need
    ``client_ca_file``. Unreadable or mismatched files raise :class:`ServeError`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(str(cert_file), str(key_file))
    except (OSError, ssl.SSLError) as exc:
        raise ServeError(
            f"cannot load the TLS certificate {cert_file} with key {key_file}: {_reason(exc)}"
        ) from None
    if client_certs != "none":
        if client_ca_file is None:
            raise ServeError(f"client certificates ({client_certs}) need a CA file to verify them against")
        try:
            context.load_verify_locations(cafile=str(client_ca_file))
        except (OSError, ssl.SSLError) as exc:
            raise ServeError(f"cannot load the client CA file {client_ca_file}: {_reason(exc)}") from None
        context.verify_mode = ssl.CERT_REQUIRED if client_certs == "required" else ssl.CERT_OPTIONAL
    return context


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
