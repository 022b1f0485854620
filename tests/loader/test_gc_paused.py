"""The collector is paused while documents are built, and always handed back as it was found."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from accord.errors import ParseError
from accord.loader import load_document
from accord.loader._gc import gc_paused


def test_the_collector_is_paused_inside_and_enabled_again_after() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_error_inside_still_enables_it_again() -> None:
    with pytest.raises(ValueError), gc_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_loading_a_broken_document_leaves_the_collector_enabled(tmp_path: Path) -> None:
    broken = tmp_path / "openapi.yaml"
    broken.write_text("openapi: 3.1.0\ninfo: {title: x\n")
    with pytest.raises(ParseError):
        load_document(broken)
    assert gc.isenabled()
    good = tmp_path / "good.yaml"
    good.write_text("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n")
    doc = load_document(good)
    assert gc.isenabled()
    assert doc.origin("/info/title").line == 2
