"""Parsing: YAML 1.2 scalars, located syntax errors, and hostile input refused cleanly."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from accord.errors import InputError, ParseError
from accord.loader import parse_source, read_source


def parse(name: str, text: str | bytes) -> object:
    raw = text.encode() if isinstance(text, str) else text
    return parse_source(Path(name), raw, name).data


def test_yaml_scalars_follow_yaml_1_2_and_keep_identifiers() -> None:
    data = parse("a.yaml", "v: [0860001000016, 1.5, 1e3, 0, -3, 012, on, yes, 2026-01-01, null, true, 0o17]")
    assert data == {
        "v": ["0860001000016", 1.5, 1000.0, 0, -3, "012", "on", "yes", "2026-01-01", None, True, 15]
    }


def test_integer_response_codes_become_string_keys() -> None:
    assert parse("a.yaml", "responses:\n  200: {description: ok}\n") == {
        "responses": {"200": {"description": "ok"}}
    }


def test_yaml_syntax_error_is_located() -> None:
    with pytest.raises(ParseError) as info:
        parse("s.yaml", "a: [1, 2\nb: 3\n")
    assert info.value.location is not None
    assert (info.value.location.file, info.value.location.line) == ("s.yaml", 2)


def test_duplicate_yaml_key_names_both_lines() -> None:
    with pytest.raises(ParseError, match="duplicate key 'a' \\(first defined on line 1\\)") as info:
        parse("k.yaml", "a: b\nc: 1\na: 2\n")
    assert info.value.location is not None
    assert (info.value.location.file, info.value.location.line) == ("k.yaml", 3)


def test_duplicate_json_key_is_refused_with_line() -> None:
    with pytest.raises(ParseError, match="duplicate key 'a'") as info:
        parse("k.json", b'{"x": {"a": 1,\n "a": 2}}')
    assert info.value.location is not None
    assert info.value.location.line == 2
    assert info.value.location.pointer == "/x"


def test_invalid_json_is_located() -> None:
    with pytest.raises(ParseError, match="invalid JSON") as info:
        parse("bad.json", b'{"a": 1,\n  "b": }')
    assert info.value.location is not None and info.value.location.line == 2


def test_non_utf8_bytes_are_located() -> None:
    with pytest.raises(ParseError, match="not valid UTF-8 \\(byte 0xff") as info:
        parse("u.yaml", b"a: b\nc: \xff\xfe\n")
    assert info.value.location is not None
    assert (info.value.location.line, info.value.location.column) == (2, 4)


def test_utf8_bom_is_accepted() -> None:
    assert parse("bom.yaml", b"\xef\xbb\xbfa: 1\n") == {"a": 1}
    assert parse("bom.json", b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(9):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    with pytest.raises(ParseError, match="alias bomb"):
        parse("bomb.yaml", "\n".join(lines))
    assert time.perf_counter() - started < 5


def test_shared_aliases_are_fine() -> None:
    data = parse("ok.yaml", "a: &x {k: 1}\nb: *x\n")
    assert data == {"a": {"k": 1}, "b": {"k": 1}}


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ParseError, match="recursive YAML alias"):
        parse("r.yaml", "a: &x [1, *x]\n")


@pytest.mark.parametrize("name", ["deep.yaml", "deep.json"])
def test_pathological_nesting_is_an_error_not_a_crash(name: str) -> None:
    with pytest.raises(ParseError, match="depth"):
        parse(name, "[" * 100_000 + "]" * 100_000)


def test_missing_file_and_directory_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_source(tmp_path / "nope.yaml")
    with pytest.raises(InputError, match="is a directory"):
        read_source(tmp_path)


def test_multi_megabyte_yaml_parses(tmp_path: Path) -> None:
    body = "".join(
        f"  p{i}:\n    type: string\n    description: property number {i}\n" for i in range(40_000)
    )
    path = tmp_path / "big.yaml"
    path.write_text("properties:\n" + body)
    assert path.stat().st_size > 2_000_000
    source = read_source(path)
    assert len(source.data["properties"]) == 40_000
    assert source.location("/properties/p39999/type").line == 1 + 39_999 * 3 + 2
