"""checkov on deploy/ (the Dockerfile and the Kubernetes manifests): no failed check, and every check that is
skipped is skipped in the manifest itself with a reason (`checkov.io/skipN: CKV_K8S_nn=<why>` annotations).

checkov lives in its own virtual environment (`.venv-checkov`, from requirements/checkov.txt; `make test`
creates it), because its dependency set is large and unrelated to the services'."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
FRAMEWORKS = ("dockerfile", "kubernetes")


def checkov_binary() -> str | None:
    for candidate in (os.environ.get("BONDLINE_CHECKOV"), str(ROOT / ".venv-checkov" / "bin" / "checkov")):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("checkov")


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    binary = checkov_binary()
    if binary is None:
        message = "checkov is not installed (make test installs it into .venv-checkov)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    # no --quiet: with it checkov's JSON leaves out the skipped checks (and their reasons) along with the passed
    done = subprocess.run([binary, "-d", "deploy", "--framework", *FRAMEWORKS, "--compact",
                           "-o", "json", "--skip-download"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.stdout.strip(), f"checkov printed nothing (exit {done.returncode}): {done.stderr[-2000:]}"
    parsed = json.loads(done.stdout)
    return {r["check_type"]: r for r in (parsed if isinstance(parsed, list) else [parsed])}


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_checkov_scans_and_nothing_fails(reports: dict[str, dict[str, Any]], framework: str) -> None:
    report = reports[framework]
    summary = report["summary"]
    assert summary["parsing_errors"] == 0, summary
    assert summary["passed"] > 0, f"checkov ran no {framework} check: {summary}"
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in report["results"]["failed_checks"]]
    assert failed == [], "fix these or skip them in the manifest with a reason:\n" + "\n".join(failed)


def test_every_skipped_check_says_why(reports: dict[str, dict[str, Any]]) -> None:
    assert all("skipped_checks" in r["results"] for r in reports.values()), "checkov's JSON lists no skipped checks"
    skipped = [c for r in reports.values() for c in r["results"]["skipped_checks"]]
    assert len(skipped) == sum(r["summary"]["skipped"] for r in reports.values())
    unexplained = [f"{c['check_id']} {c['resource']}" for c in skipped
                   if len((c.get("check_result") or {}).get("suppress_comment", "").strip()) < 20]
    assert unexplained == [], "a skip needs a reason in its annotation: " + ", ".join(unexplained)
