"""Generator test configuration: the committed template as a plain folder, and a summary table
of the answer combinations and their results."""

import subprocess
from pathlib import Path

import pytest

from combinations import REPO


@pytest.fixture(scope="session")
def template_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed template (HEAD's copier.yml and template/) as a plain folder: Copier then
    renders it directly instead of cloning the repository for every project."""
    dst = tmp_path_factory.mktemp("template")
    archive = subprocess.run(
        ["git", "archive", "HEAD", "copier.yml", "template"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(dst)], input=archive.stdout, check=True)
    return dst


# Tests parametrised by answer combination, and what their table rows stand for.
MATRIX_TESTS = {
    "test_combination_renders_clean": "render: files, no residue, ruff",
    "test_project_tests_pass_and_it_trains": "project: install, own tests, train",
}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print one line per combination and matrix test: outcome, seconds and the answers."""
    rows = []
    for outcome in ("passed", "failed", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            name, _, combo = report.nodeid.partition("[")
            test = name.rsplit("::", 1)[-1]
            if test in MATRIX_TESTS and report.when in ("call", "setup") and combo:
                if report.when == "setup" and outcome == "passed":
                    continue
                rows.append((MATRIX_TESTS[test], combo.rstrip("]"), outcome, report.duration))
    if not rows:
        return
    terminalreporter.write_sep("=", "answer combinations")
    for test, combo, outcome, seconds in sorted(rows):
        terminalreporter.write_line(f"{outcome:7} {seconds:6.1f}s  {test:36}  {combo}")
    failed = sum(outcome != "passed" for *_, outcome, _ in rows)
    terminalreporter.write_line(f"{len(rows)} combination runs, {failed} not passed")
