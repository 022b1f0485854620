"""``accord mock`` flags through click's CliRunner (errors happen before the server would start)."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
from accord_cli.main import cli
from click.testing import CliRunner

from tests._certs import make_tls_files
from tests.mock.conftest import FIXTURE


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["mock", *args])
    return result.exit_code, result.stderr


def test_unknown_domain_exits_2_with_a_clear_message() -> None:
    code, err = _run("gizmos", "--contracts", str(FIXTURE))
    assert code == 2
    assert "unknown domain 'gizmos' (known: widgets)" in err
    assert "Traceback" not in err


def test_error_rate_must_be_a_probability() -> None:
    code, err = _run("--error-rate", "1.5", "--contracts", str(FIXTURE))
    assert code == 2 and "--error-rate" in err


def test_port_range_and_bad_latency() -> None:
    assert _run("--port", "70000")[0] == 2
    code, err = _run("--latency", "-1")
    assert code == 2 and "--latency" in err


def test_unknown_flag() -> None:
    code, err = _run("--frobnicate")
    assert code == 2 and "No such option" in err


def test_bad_broker_url() -> None:
    code, err = _run("--events", "--broker", "kafka://x", "--contracts", str(FIXTURE))
    assert code == 2
    assert "--broker must be `memory` or an amqp:// URL" in err


def test_serves_with_the_chosen_options(monkeypatch: object) -> None:
    import accord_cli.mockserver.server as server

    calls: list[tuple[object, str, int]] = []

    def fake_run(app: object, *, host: str, port: int, ssl_context: object = None) -> None:
        calls.append((app, host, port))

    monkeypatch.setattr(server, "run", fake_run)  # type: ignore[attr-defined]
    result = CliRunner().invoke(
        cli,
        ["mock", "--contracts", str(FIXTURE), "--port", "4999", "--stateful", "--latency", "5", "--events"],
    )
    assert result.exit_code == 0, result.stderr
    assert (
        "mocking 4 operations of widgets on http://127.0.0.1:4999 (stateful); events via memory"
        in result.stderr
    )
    app, host, port = calls[0]
    assert (host, port) == ("127.0.0.1", 4999)
    assert app.responder.stateful and app.latency == 0.005  # type: ignore[attr-defined]


def test_serves_https_with_a_certificate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import accord_cli.mockserver.server as server

    files = make_tls_files(tmp_path)
    contexts: list[object] = []
    monkeypatch.setattr(
        server, "run", lambda app, *, host, port, ssl_context=None: contexts.append(ssl_context)
    )
    args = ["mock", "--contracts", str(FIXTURE), "--port", "4998"]
    result = CliRunner().invoke(
        cli, [*args, "--tls-cert", str(files.server.cert), "--tls-key", str(files.server.key)]
    )
    assert result.exit_code == 0, result.stderr
    assert "on https://127.0.0.1:4998" in result.stderr
    assert isinstance(contexts[0], ssl.SSLContext)
    result = CliRunner().invoke(cli, [*args, "--tls-cert", str(files.server.cert)])
    assert result.exit_code == 2 and "--tls-cert and --tls-key go together" in result.stderr
    result = CliRunner().invoke(
        cli, [*args, "--tls-cert", str(tmp_path / "nope.pem"), "--tls-key", str(files.server.key)]
    )
    assert result.exit_code == 2 and "cannot load the TLS certificate" in result.stderr
    assert len(contexts) == 1  # neither mistake got as far as serving
