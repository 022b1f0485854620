"""action.yml and .pre-commit-hooks.yaml: the action's shell steps run locally against a temp git
repository with an `origin` remote, as GitHub would run them on a pull request."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS = {step["id"]: step for step in ACTION["runs"]["steps"] if "id" in step}
FINAL = ACTION["runs"]["steps"][-1]
_EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")
BIN = Path(sys.executable).parent

# Removing an optional response property of a stable domain's schema breaks clients.
ORDERS = "contracts/orders/openapi.yaml"
PO_PROPERTY = (
    "        customerPurchaseOrder:\n"
    "          description: Customer's purchase order number.\n"
    "          type: [string, 'null']\n"
    "          maxLength: 35\n"
)
NOTE_PROPERTY = (
    "        internalNote:\n"
    "          description: Free-text note of the order desk, never shown to the customer.\n"
    "          type: [string, 'null']\n"
    "          maxLength: 500\n"
)


def _diff_available() -> bool:
    result = subprocess.run([str(BIN / "accord"), "diff", "--help"], capture_output=True, check=False)
    return result.returncode == 0


@dataclass
class Runner:
    """Runs the action's `run:` steps with GitHub's files and variables, in ``repo``."""

    repo: Path
    inputs: dict[str, str]
    work: Path
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def value(self, expression: str) -> str:
        parts = expression.split(".")
        if parts[0] == "inputs":
            return self.inputs.get(parts[1], "")
        if parts[0] == "steps" and parts[2] == "outputs":
            return self.outputs.get(parts[1], {}).get(parts[3], "")
        if expression == "github.action_path":
            return str(ROOT)
        if expression == "github.base_ref":
            return self.inputs.get("base-ref", "")
        raise AssertionError(f"expression the test cannot evaluate: {expression}")

    def evaluate(self, text: Any) -> str:
        return _EXPR.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, step: dict[str, Any]) -> bool:
        """The action's `if:`s compare one value with '' (and `always()`), which is all this handles."""
        condition = step.get("if")
        if condition is None:
            return True
        match = re.fullmatch(r"(?:always\(\) && )?([\w.-]+) != ''", condition.strip())
        assert match, f"unsupported if: {condition}"
        return self.value(match.group(1)) != ""

    def run(self, step: dict[str, Any]) -> subprocess.CompletedProcess[str] | None:
        if not self.condition(step):
            return None
        output = self.work / "github_output"
        output.write_text("")
        env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
        env.update({name: self.evaluate(value) for name, value in step.get("env", {}).items()})
        env.update(
            {
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(self.work / "summary.md"),
                "RUNNER_TEMP": str(self.work),
                "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
                "NO_COLOR": "1",
            }
        )
        assert "${{" not in step["run"], "scripts must read inputs from env: only"
        result = subprocess.run(
            ["bash", "-c", step["run"]],
            cwd=self.repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        values = dict(
            line.split("=", 1) for line in output.read_text().splitlines() if "=" in line
        )  # name=value lines, as GitHub reads them
        if "id" in step:
            self.outputs[step["id"]] = values
        return result

    def pull_request(self) -> dict[str, subprocess.CompletedProcess[str] | None]:
        return {
            name: self.run(STEPS[name]) if name in STEPS else self.run(FINAL)
            for name in ("changed", "lint", "diff", "final")
        }


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare `origin` whose main branch holds the contracts."""
    base = tmp_path_factory.mktemp("origin")
    seed = base / "seed"
    seed.mkdir()
    shutil.copytree(ROOT / "contracts", seed / "contracts")
    _git(seed, "init", "-q")
    _git(seed, "add", ".")
    _git(seed, "commit", "-q", "-m", "contracts")
    _git(base, "clone", "-q", "--bare", str(seed), "origin.git")
    return base / "origin.git"


@pytest.fixture
def clone(origin: Path, tmp_path: Path) -> Path:
    """A pull request's checkout: a feature branch of a clone whose remote-tracking main is not fetched yet."""
    repo = tmp_path / "repo"
    _git(tmp_path, "clone", "-q", "--single-branch", str(origin), str(repo))
    _git(repo, "checkout", "-q", "-b", "feature")
    _git(repo, "update-ref", "-d", "refs/remotes/origin/main")  # the action must fetch it itself
    return repo


def _commit(repo: Path, path: str, old: str, new: str) -> None:
    file = repo / path
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))
    _git(repo, "commit", "-q", "-am", f"change {path}")


def _runner(repo: Path, tmp_path: Path, **inputs: str) -> Runner:
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    work = tmp_path / "runner"
    work.mkdir(exist_ok=True)
    runner = Runner(repo, {**defaults, "base-ref": "main", **inputs}, work)
    runner.inputs = {name: runner.evaluate(value) for name, value in runner.inputs.items()}
    return runner


def test_action_metadata_is_complete() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"install", "changed", "lint", "diff"} <= set(STEPS)
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], step.get("name")
    uses = [step["uses"] for step in ACTION["runs"]["steps"] if "uses" in step]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert "--format github" in STEPS["diff"]["run"] and "--format markdown" in STEPS["diff"]["run"]
    assert "--format sarif" in STEPS["lint"]["run"] and "--format github" in STEPS["lint"]["run"]


@pytest.mark.slow
def test_breaking_change_fails_the_pull_request(clone: Path, tmp_path: Path) -> None:
    if not _diff_available():
        pytest.skip("`accord diff --help` fails: the diff command is not available yet")
    _commit(clone, ORDERS, PO_PROPERTY, "")
    runner = _runner(clone, tmp_path)
    results = runner.pull_request()
    assert runner.outputs["changed"]["targets"] == "contracts/orders"
    sarif = Path(runner.outputs["lint"]["sarif-file"])
    assert sarif.is_file() and '"version": "2.1.0"' in sarif.read_text()
    assert runner.outputs["diff"]["exit-code"] == "1", results["diff"]
    diff = results["diff"]
    assert diff is not None and "::error" in diff.stdout and "customerPurchaseOrder" in diff.stdout
    summary = (tmp_path / "runner" / "summary.md").read_text()
    assert summary.startswith("## Contract changes against `main`") and "customerPurchaseOrder" in summary
    final = results["final"]
    assert final is not None and final.returncode == 1
    assert "::error title=accord diff::" in final.stdout


@pytest.mark.slow
def test_compatible_change_passes(clone: Path, tmp_path: Path) -> None:
    if not _diff_available():
        pytest.skip("`accord diff --help` fails: the diff command is not available yet")
    _commit(clone, ORDERS, PO_PROPERTY, PO_PROPERTY + NOTE_PROPERTY)
    runner = _runner(clone, tmp_path)
    results = runner.pull_request()
    assert runner.outputs["changed"]["targets"] == "contracts/orders"
    lint = results["lint"]
    assert runner.outputs["lint"]["exit-code"] == "0", lint and lint.stdout + lint.stderr
    assert runner.outputs["diff"]["exit-code"] == "0", results["diff"]
    final = results["final"]
    assert final is not None and final.returncode == 0, final.stdout


def test_lint_failure_fails_and_annotates(clone: Path, tmp_path: Path) -> None:
    _commit(clone, ORDERS, "operationId: submitSalesOrder", "operationId: submit_sales_order")
    runner = _runner(clone, tmp_path)
    runner.run(STEPS["changed"])
    result = runner.run(STEPS["lint"])
    assert result is not None
    assert runner.outputs["lint"]["exit-code"] == "0"  # a warning: below the default fail-severity
    runner = _runner(clone, tmp_path, **{"fail-severity": "warn"})
    runner.run(STEPS["changed"])
    result = runner.run(STEPS["lint"])
    assert result is not None
    assert runner.outputs["lint"]["exit-code"] == "1"
    assert re.search(r"::warning file=[^,]*contracts/orders/openapi.yaml,line=\d+", result.stdout), (
        result.stdout
    )
    assert "operationid-camel-case" in result.stdout
    final = runner.run(FINAL)
    assert final is not None and final.returncode == 1 and "accord lint" in final.stdout


def test_shared_fragment_change_lints_everything(clone: Path, tmp_path: Path) -> None:
    _commit(
        clone,
        "contracts/common/parameters.yaml",
        "    maximum: 100\n",
        "    maximum: 100\n    multipleOf: 1\n",
    )
    runner = _runner(clone, tmp_path)
    runner.run(STEPS["changed"])
    assert runner.outputs["changed"]["targets"] == "contracts"


def test_no_contract_change_skips_lint(clone: Path, tmp_path: Path) -> None:
    (clone / "README.md").write_text("hello\n")
    _git(clone, "add", "README.md")
    _git(clone, "commit", "-q", "-m", "readme")
    runner = _runner(clone, tmp_path)
    runner.run(STEPS["changed"])
    assert runner.outputs["changed"]["targets"] == ""
    assert runner.run(STEPS["lint"]) is None  # `if: targets != ''`
    final = runner.run(FINAL)
    assert final is not None and final.returncode == 0


def test_without_base_ref_everything_is_linted_and_diff_skipped(clone: Path, tmp_path: Path) -> None:
    runner = _runner(clone, tmp_path, **{"base-ref": ""})
    runner.run(STEPS["changed"])
    assert runner.outputs["changed"]["targets"] == "contracts"
    assert runner.run(STEPS["diff"]) is None


def test_pre_commit_hooks_run_accord_commands() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"accord-lint", "accord-validate", "accord-generate-check"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert re.search(hook["files"], "contracts/orders/openapi.yaml")
        assert not re.search(hook["files"], "README.md")
    command = [str(BIN / hooks["accord-validate"]["entry"].split()[0]), "--quiet"]
    command += hooks["accord-validate"]["entry"].split()[1:] + hooks["accord-validate"]["args"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
