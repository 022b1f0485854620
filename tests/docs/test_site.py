"""The documentation site: builds with `mkdocs build --strict` offline, references nothing remote,
and renders in headless Chromium (a screenshot that is not blank, the key headings present)."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.docs import _png

ROOT = Path(__file__).resolve().parents[2]
#: Every proxy points at a closed local port: anything that tries the network fails fast.
OFFLINE = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
    "NO_MKDOCS_2_WARNING": "1",
}
_REMOTE_TAG = re.compile(
    r"<(script|link|img|iframe|source|video|audio)\b[^>]*\b(src|href|srcset)\s*=\s*[\"']?\s*(https?:)?//",
    re.I,
)
_REMOTE_CSS = re.compile(r"@import\s+(url\()?\s*[\"']?\s*(https?:)?//|url\(\s*[\"']?\s*(https?:)?//", re.I)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("site")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-f",
            str(ROOT / "mkdocs.yml"),
            "-d",
            str(target),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **OFFLINE},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    yield target


def test_strict_build_has_every_page(site: Path) -> None:
    for page in (
        "index.html",
        "getting-started.html",
        "concepts/change-kinds.html",
        "how-to/gate-pull-requests.html",
        "reference/cli.html",
        "reference/rules.html",
        "reference/change-kinds.html",
        "reference/contracts/index.html",
        "reference/contracts/orders.html",
        "reference/changelog.html",
        "search/search_index.json",
    ):
        assert (site / page).is_file(), page


def test_site_references_nothing_remote(site: Path) -> None:
    offenders: list[str] = []
    for path in sorted(site.rglob("*")):
        if path.suffix == ".html":
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(site)}: {m.group(0)}" for m in _REMOTE_TAG.finditer(text)]
            for style in re.findall(r"<style[^>]*>(.*?)</style>", text, re.S | re.I):
                offenders += [f"{path.relative_to(site)}: {m.group(0)}" for m in _REMOTE_CSS.finditer(style)]
        elif path.suffix == ".css":
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(site)}: {m.group(0)}" for m in _REMOTE_CSS.finditer(text)]
    assert offenders == []
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in index and "fonts.gstatic" not in index


def test_remote_reference_detector_catches_cdn_tags() -> None:
    assert _REMOTE_TAG.search('<script src="https://cdn.example.com/x.js"></script>')
    assert _REMOTE_TAG.search("<link rel=stylesheet href=//fonts.example.com/a.css>")
    assert not _REMOTE_TAG.search('<script src="assets/javascripts/bundle.js"></script>')
    assert not _REMOTE_TAG.search('<a href="https://example.com">docs</a>')
    assert _REMOTE_CSS.search('@import url("https://fonts.example.com/css")')
    assert not _REMOTE_CSS.search("background: url(../images/x.svg)")


# -- headless Chromium --------------------------------------------------------------------------


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _install_chromium() -> str:
    """Debian's chromium package (needs root); outside CI a machine without it skips."""
    found = _find_chromium()
    if found:
        return found
    problem = "chromium is not installed"
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
            result = subprocess.run(
                command, capture_output=True, text=True, env=env, timeout=840, check=False
            )
            if result.returncode != 0:
                problem = f"{' '.join(command)} failed: {result.stderr[-500:]}"
                break
        found = _find_chromium()
        if found:
            return found
    else:
        problem += " (and apt-get cannot be run as root here)"
    if IN_CI:
        pytest.fail(f"{problem}; CI=true: the rendering test must not be skipped")
    pytest.skip(problem)


@pytest.fixture(scope="module")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[str]]:
    binary = _install_chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")
    yield [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--proxy-server=127.0.0.1:9",  # offline: nothing may come from the network
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}",
    ]


def _run(command: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(command, capture_output=True, timeout=120, check=False)


def _screenshot(chromium: list[str], page: Path, out: Path) -> _png.Image:
    result = _run([*chromium, "--window-size=1280,900", f"--screenshot={out}", page.as_uri()])
    assert out.is_file(), result.stderr.decode(errors="replace")[-2000:]
    return _png.decode(out.read_bytes())


def _assert_not_blank(image: _png.Image) -> None:
    samples = [image.pixel(x, y) for y in range(0, image.height, 4) for x in range(0, image.width, 4)]
    background = max(set(samples), key=samples.count)
    differing = sum(1 for s in samples if s != background) / len(samples)
    luminance = [sum(s[:3]) / 3 for s in samples]
    mean = sum(luminance) / len(luminance)
    spread = (sum((v - mean) ** 2 for v in luminance) / len(luminance)) ** 0.5
    assert len(set(samples)) > 30, "screenshot has almost no colours"
    assert differing > 0.03, f"only {differing:.1%} of the screenshot differs from the background"
    assert spread > 10, f"luminance spread {spread:.1f} is too low for rendered text"


def _headings(chromium: list[str], page: Path) -> dict[str, list[str]]:
    result = _run([*chromium, "--dump-dom", page.as_uri()])
    dom = result.stdout.decode("utf-8", errors="replace")
    assert "</html>" in dom, result.stderr.decode(errors="replace")[-2000:]
    found: dict[str, list[str]] = {}
    for level, inner in re.findall(r"<(h[1-3])\b[^>]*>(.*?)</\1>", dom, re.S):
        text = re.sub(r"<[^>]+>", "", inner).replace("¶", "").strip()
        found.setdefault(level, []).append(re.sub(r"\s+", " ", text))
    return found


@pytest.mark.timeout(900)
def test_home_page_renders(site: Path, chromium: list[str], tmp_path: Path) -> None:
    page = site / "index.html"
    _assert_not_blank(_screenshot(chromium, page, tmp_path / "home.png"))
    headings = _headings(chromium, page)
    assert headings["h1"] == ["Accord"]
    assert {"Where to go next", "Exit codes"} <= set(headings["h2"])


@pytest.mark.timeout(900)
def test_contract_page_renders(site: Path, chromium: list[str], tmp_path: Path) -> None:
    page = site / "reference" / "contracts" / "orders.html"
    _assert_not_blank(_screenshot(chromium, page, tmp_path / "orders.png"))
    headings = _headings(chromium, page)
    assert headings["h1"] == ["Sales Orders API (orders)"]
    assert {"Operations", "Events", "Schemas"} <= set(headings["h2"])
    assert "POST /v1/orders/{orderId}/submit" in headings["h3"]
    assert "Publishes orders.order.submitted.v1" in headings["h3"]


def test_blank_screenshot_is_rejected(tmp_path: Path) -> None:
    width, height = 64, 48
    raw = b"".join(b"\x00" + b"\xff\xff\xff" * width for _ in range(height))
    image = _png.decode(_png_bytes(width, height, raw))
    with pytest.raises(AssertionError, match="almost no colours"):
        _assert_not_blank(image)


# -- the PNG decoder ----------------------------------------------------------------------------


def _png_bytes(width: int, height: int, raw: bytes, colour: int = 2) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _filter(kind: int, row: bytes, prev: bytes, bpp: int) -> bytes:
    out = bytearray()
    for i, value in enumerate(row):
        left = row[i - bpp] if i >= bpp else 0
        up = prev[i]
        upper_left = prev[i - bpp] if i >= bpp else 0
        predictor = [0, left, up, (left + up) >> 1, _png._paeth(left, up, upper_left)][kind]
        out.append((value - predictor) & 0xFF)
    return bytes(out)


@pytest.mark.parametrize("colour", [2, 6])
def test_png_decoder_undoes_every_filter(colour: int) -> None:
    bpp = 3 if colour == 2 else 4
    width, height = 7, 10
    rows = [
        bytes((x * 37 + y * 11 + c * 5) % 256 for x in range(width) for c in range(bpp))
        for y in range(height)
    ]
    raw = bytearray()
    prev = bytes(width * bpp)
    for y, row in enumerate(rows):
        kind = y % 5
        raw += bytes([kind]) + _filter(kind, row, prev, bpp)
        prev = row
    image = _png.decode(_png_bytes(width, height, bytes(raw), colour))
    assert image.rows == rows and image.channels == bpp
    assert image.pixel(2, 3) == tuple(rows[3][2 * bpp : 3 * bpp])


def test_png_decoder_refuses_other_files() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        _png.decode(b"GIF89a")
    with pytest.raises(ValueError, match="unsupported PNG"):
        _png.decode(_png_bytes(1, 1, b"\x00\x00", colour=3))
