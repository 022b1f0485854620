"""`accord test` finds nothing wrong with a conforming implementation and catches a broken one."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from accord_cli.main import cli
from click.testing import CliRunner

HERE = Path(__file__).parent
WIDGET_ID = re.compile(r"^/v1/widgets/(W-[0-9]{1,6})$")


def _app(broken: bool) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        match = WIDGET_ID.match(scope["path"])
        if scope["method"] != "GET" or not scope["path"].startswith("/v1/widgets/"):
            status, ctype, body, extra = (
                404,
                "application/problem+json",
                {"title": "Not Found", "status": 404},
                [],
            )
        elif match is None:
            status, ctype, body, extra = (
                400,
                "application/problem+json",
                {"title": "Bad Request", "status": 400},
                [],
            )
        elif broken:
            # Wrong type, no ETag and a plain-text 500 for some identifiers.
            if match.group(1).endswith("7"):
                status, ctype, body, extra = 500, "text/plain", "boom", []
            else:
                status, ctype, body, extra = (
                    200,
                    "application/json",
                    {"widgetId": match.group(1), "name": 7},
                    [],
                )
        else:
            status, ctype = 200, "application/json"
            body, extra = {"widgetId": match.group(1), "name": "sprocket"}, [(b"etag", b'"v1"')]
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(payload)).encode()), *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(params=[False, True], ids=["conforming", "broken"])
def server(request: pytest.FixtureRequest) -> Iterator[tuple[str, bool]]:
    port = _free_port()
    config = uvicorn.Config(
        _app(request.param), host="127.0.0.1", port=port, log_level="error", lifespan="off"
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not instance.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", request.param
    instance.should_exit = True
    thread.join(timeout=10)


def test_accord_test_judges_the_implementation(server: tuple[str, bool], tmp_path: Path) -> None:
    base_url, broken = server
    junit = tmp_path / "junit.xml"
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli,
        [
            "test",
            "--base-url",
            base_url,
            "--contracts",
            str(HERE / "widgets.yaml"),
            "--max-examples",
            "15",
            "--seed",
            "1",
            "--phases",
            "examples,coverage,fuzzing",
            "--junit",
            str(junit),
            "--json",
            str(report),
        ],
    )
    summary = json.loads(report.read_text())
    assert junit.read_text().startswith("<testsuites")
    if broken:
        assert result.exit_code == 1, result.output
        messages = " ".join(f["message"] for d in summary["domains"] for f in d["failures"])
        assert summary["passed"] is False
        assert "ETag" in messages or "schema" in messages.lower() or "500" in messages
    else:
        assert result.exit_code == 0, result.output
        assert summary["passed"] is True


def test_bad_base_url_and_unknown_domain_are_usage_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["test", "--base-url", "ftp://x", "--contracts", str(HERE / "widgets.yaml")])
    assert result.exit_code == 2 and "--base-url must be an http(s) URL" in result.stderr
    result = runner.invoke(
        cli, ["test", "--base-url", "http://127.0.0.1:9", "--contracts", str(HERE / "widgets.yaml"), "nope"]
    )
    assert result.exit_code == 2 and "unknown domain(s): nope" in result.stderr
