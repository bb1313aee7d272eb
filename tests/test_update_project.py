"""The real template, updated for real: an updated project still passes its own tests."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from combinations import QUESTIONS
from template_repo import commit_all, invoke, new_project, real_template, release

pytestmark = pytest.mark.slow

V2_TEST = '''\
"""Added by template 2.0.0."""

import {{ package_name }}


def test_package_is_importable() -> None:
    assert {{ package_name }}.__name__ == "{{ package_name }}"
'''
OWNER_EDIT = '''

def read_text(path: Path) -> str:
    """Read a UTF-8 text file."""
    return path.read_text(encoding="utf-8")
'''


def features_off() -> list[str]:
    """--data options that switch every feature off: the smallest project, the fastest tests."""
    args = []
    for name, spec in QUESTIONS.items():
        if spec.get("type") == "bool":
            args += ["--data", f"{name}=false"]
        elif spec.get("multiselect"):
            args += ["--data", f"{name}=[]"]
    return args


def run(*args: str, cwd: Path) -> str:
    """Run a command with the project's src/ importable; fail with its output."""
    env = {**os.environ, "PYTHONPATH": str(cwd / "src")}
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_updated_project_passes_its_own_tests(tmp_path: Path) -> None:
    """The owner's edit is kept, 2.0.0's new test file arrives, and the project's pytest passes."""
    template = real_template(tmp_path / "template")
    project = new_project(template, tmp_path / "updproj", *features_off())

    io = project / "src" / "updproj" / "utils" / "io.py"
    io.write_text(io.read_text() + OWNER_EDIT)
    commit_all(project, "owner: a helper")
    readme = template / "template" / "README.md.jinja"
    files = {
        "template/tests/test_v2.py.jinja": V2_TEST,
        "template/README.md.jinja": readme.read_text() + "\nUpdated to template 2.0.0.\n",
    }
    release(template, files, "2.0.0")

    result = invoke("update", project)
    assert result.exit_code == 0, result.output
    assert io.read_text().endswith(OWNER_EDIT), "the owner's edit was lost"
    assert (project / "tests" / "test_v2.py").is_file()
    assert "Updated to template 2.0.0." in (project / "README.md").read_text()
    out = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert " passed" in out and "failed" not in out, out
    assert "test_v2.py" in run(sys.executable, "-m", "pytest", "--collect-only", "-q", cwd=project)
