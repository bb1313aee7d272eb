"""The wheel alone carries the template: `torchgen new` works from an installed wheel."""

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def run(*args: object, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command, fail with its output if it fails, and return its stdout."""
    completed = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def test_wheel_renders_its_own_template(tmp_path: Path) -> None:
    """Installed from the wheel alone, `torchgen new x --defaults` renders the bundled template."""
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        tmp_path / "dist",
        REPO,
    )
    (wheel,) = (tmp_path / "dist").glob("torchgen_cli-*.whl")
    site = tmp_path / "site"
    run(sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, wheel)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    home = tmp_path / "home"  # the per-user template history goes here, not to the real home
    env = {**os.environ, "PYTHONPATH": str(site), "HOME": str(home)}
    env.pop("XDG_DATA_HOME", None)

    module = run(
        sys.executable,
        "-c",
        "import torchgen_cli; print(torchgen_cli.__file__)",
        cwd=elsewhere,
        env=env,
    )
    assert Path(module.strip()).is_relative_to(site)
    version = run(sys.executable, "-m", "torchgen_cli", "--version", cwd=elsewhere, env=env)
    assert version == f"torchgen {metadata.version('torchgen-cli')}\n"

    run(sys.executable, "-m", "torchgen_cli", "new", "x", "--defaults", cwd=elsewhere, env=env)
    project = elsewhere / "x"
    assert (project / "pyproject.toml").is_file()
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text(encoding="utf-8"))
    # The project names the installed history bundle, written with ~ so that it works for any user.
    assert answers["_src_path"].startswith("~/"), answers["_src_path"]
    assert (home / answers["_src_path"].removeprefix("~/")).is_file()
    assert answers["_commit"], "the project records no template revision"
    assert answers["package_name"] == "x"
    assert run("git", "status", "--porcelain", cwd=project) == "", "the first commit missed files"
