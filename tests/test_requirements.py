"""A test whose browser, dataset or package is missing is skipped on a developer's machine and
fails in CI (CI=true): run a small test file both ways in a child pytest."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT

MISSING = '''
from tests.conftest import needs, require, require_module

@needs(False, "needs a thing that is not here")
def test_marked():
    pass

def test_required():
    require(False, "needs another thing")

def test_module():
    require_module("no_such_module_here")

@needs(True, "is here")
def test_present():
    pass
'''


def _run(tmp_path, ci: str | None) -> subprocess.CompletedProcess:
    test = tmp_path / "test_missing.py"
    test.write_text(MISSING)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "tests.conftest", "-p",
         "no:cacheprovider", str(test)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def test_missing_requirements_skip_here_and_say_what_to_install(tmp_path):
    done = _run(tmp_path, None)
    assert done.returncode == 0, done.stdout
    assert "1 passed, 3 skipped" in done.stdout
    assert "needs a thing that is not here" in done.stdout
    assert "needs the Python package 'no_such_module_here'" in done.stdout


def test_missing_requirements_fail_in_ci(tmp_path):
    done = _run(tmp_path, "true")
    assert done.returncode == 1, done.stdout
    assert "1 passed" in done.stdout and "skipped" not in done.stdout
    assert done.stdout.count("CI=true: a missing requirement fails instead of skipping") >= 3
