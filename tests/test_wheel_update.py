"""Offline updates between wheels: a newer wheel updates a project an older wheel made."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from template_repo import commit_all, git

REPO = Path(__file__).resolve().parents[1]


def run(*args: object, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run a command; return it whatever its exit status."""
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True)


def ok(*args: object, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run a command, fail with its output if it fails, and return its stdout."""
    done = run(*args, cwd=cwd, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def copy_repo(dst: Path) -> Path:
    """Copy this repository's files (tracked and new, not ignored) into a fresh git repository."""
    listed = ok("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO)
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (dst / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dst / name)
    git("init", "--quiet", cwd=dst)
    commit_all(dst, "torchgen 1")
    return dst


def build_and_install(repo: Path, site: Path) -> None:
    """Build a wheel of `repo` and install it, alone, into `site`."""
    dist = site.with_name(f"{site.name}-dist")
    pip = [sys.executable, "-m", "pip"]
    ok(*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, repo, cwd=repo)
    (wheel,) = dist.glob("torchgen_cli-*.whl")
    ok(*pip, "install", "--no-deps", "-q", "--target", site, wheel, cwd=repo)


def test_newer_wheel_updates_project_of_older_wheel(tmp_path: Path) -> None:
    """Wheel 2 updates wheel 1's project offline, keeping the owner's edit; wheel 1 then refuses."""
    repo = copy_repo(tmp_path / "repo")
    build_and_install(repo, tmp_path / "site1")
    readme = repo / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + "\n## Changelog\n\nSee CHANGELOG.md.\n")
    (repo / "template" / "CHANGELOG.md").write_text("# Changelog\n")
    commit_all(repo, "torchgen 2")
    build_and_install(repo, tmp_path / "site2")
    shutil.rmtree(repo)  # the wheels must not need the repository

    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"} | {"HOME": str(home)}
    wheel1, wheel2 = ({**env, "PYTHONPATH": str(tmp_path / s)} for s in ("site1", "site2"))
    torchgen = [sys.executable, "-m", "torchgen_cli"]
    ok(*torchgen, "new", "x", "--defaults", cwd=tmp_path, env=wheel1)
    project = tmp_path / "x"
    config = project / "src" / "x" / "config.py"
    config.write_text(config.read_text() + "# tuned by the owner\n")
    commit_all(project, "owner edit")
    before = yaml.safe_load((project / ".copier-answers.yml").read_text())

    out = ok(*torchgen, "update", cwd=project, env=wheel2)
    assert "Updated . to template version" in out
    after = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert after["_src_path"] == before["_src_path"]
    assert after["_commit"] != before["_commit"]
    assert config.read_text().endswith("# tuned by the owner\n"), "the owner's edit was lost"
    assert "## Changelog" in (project / "README.md").read_text()
    assert (project / "CHANGELOG.md").is_file()

    commit_all(project, "update")
    older = run(*torchgen, "update", cwd=project, env=wheel1)
    assert older.returncode == 1, older.stdout + older.stderr
    assert older.stderr.startswith("error: ") and "newer torchgen" in older.stderr
    assert git("status", "--porcelain", cwd=project) == ""
