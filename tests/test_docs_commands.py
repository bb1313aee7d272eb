"""Every command the docs show runs somewhere: here, in the generated project, or in CI.

`myproj`, `torchrun` and `sbatch` lines run for real, in page order (the quickstart first), in
a freshly generated default project (SLURM's `sbatch`/`srun`/`scontrol` are stand-ins that run
the batch script on this machine as a one-node job with two CPU processes). `torchgen` lines are
parsed against the real CLI in test_docs.py. The rest must appear verbatim in a CI step.
"""

import os
import shlex
import socket
import stat
import subprocess
import sys
from pathlib import Path

import copier
import pytest
import yaml

from combinations import REPO
from test_docs import shown_commands

PROJECT_PROGRAMS = {"myproj", "torchrun", "sbatch"}
# Shell steps around the commands (changing folder, installing, committing), not commands of ours.
SHELL_STEPS = {"cd", "pip", "git", "pytest"}
CI_FILES = [
    *sorted((REPO / ".github" / "workflows").glob("*.yml")),
    *sorted((REPO / ".ci").iterdir()),
]


def ci_commands() -> set[str]:
    """Command lines that CI runs: workflow `run:` steps and the lines of the .ci scripts."""
    lines = {"bash .ci/run"}  # the CI entry point itself
    for path in CI_FILES:
        if path.suffix == ".yml":
            for job in yaml.safe_load(path.read_text())["jobs"].values():
                for step in job.get("steps", []):
                    lines.update(line.strip() for line in step.get("run", "").splitlines())
        else:
            lines.update(line.strip() for line in path.read_text().splitlines())
    return lines


def test_every_command_in_the_docs_is_exercised() -> None:
    """Each command line is run by the walkthrough below, parsed (torchgen) or run by CI."""
    ci = ci_commands()
    for page, line in shown_commands():
        program = shlex.split(line)[0]
        if program in PROJECT_PROGRAMS | SHELL_STEPS | {"torchgen"}:
            continue
        assert line in ci, f"{page.name}: `{line}` is neither tested nor run by CI"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def slurm_stand_ins(folder: Path) -> None:
    """`sbatch` runs the script here; `srun` runs its command once; `scontrol` names this host."""
    scripts = {
        "sbatch": 'exec bash "$@"\n',
        "srun": 'exec "$@"\n',
        "scontrol": "echo localhost\n",
    }
    for name, body in scripts.items():
        path = folder / name
        path.write_text("#!/usr/bin/env bash\n" + body)
        path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.mark.slow
def test_project_commands_in_the_docs_run(tmp_path: Path, template_dir: Path) -> None:
    """The docs' project commands, verbatim and in order (the quickstart first: it makes the
    data), in a default project named myproj."""
    shown = sorted(shown_commands(), key=lambda shown: shown[0].name != "quickstart.md")
    commands = [line for _, line in shown if shlex.split(line)[0] in PROJECT_PROGRAMS]
    assert {shlex.split(c)[0] for c in commands} == PROJECT_PROGRAMS, commands
    root = tmp_path / "myproj"
    copier.run_copy(str(template_dir), root, data={"project_name": "myproj"}, defaults=True)
    install = [sys.executable, "-m", "pip", "install", "-q", "--no-build-isolation", "-e", "."]
    subprocess.run(install, cwd=root, check=True, capture_output=True)
    stand_ins = tmp_path / "bin"
    stand_ins.mkdir()
    slurm_stand_ins(stand_ins)
    env = {
        **os.environ,
        "PATH": os.pathsep.join(
            [str(stand_ins), str(Path(sys.executable).parent), os.environ["PATH"]]
        ),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "SLURM_JOB_NODELIST": "localhost",
        "SLURM_JOB_NUM_NODES": "1",
        "SLURM_GPUS_ON_NODE": "2",  # two processes per node: CPU processes with gloo here
        "SLURM_JOB_ID": "1",
        "SLURM_JOB_NAME": "docs",
        "MASTER_PORT": str(free_port()),
    }
    try:
        for command in commands:
            args = shlex.split(command)
            if args[0] == "sbatch":
                args += ["--set", "trainer.max_steps=60"]  # the docs' 50 epochs, cut short
            proc = subprocess.run(
                args, cwd=root, env=env, capture_output=True, text=True, timeout=600
            )
            assert proc.returncode == 0, f"{command}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    finally:
        subprocess.run(
            [sys.executable, "-m", "pip", "uninstall", "-y", "-q", "myproj"], check=False
        )
    assert (root / "runs" / "first" / "checkpoints" / "best.pt").is_file()
    assert (root / "runs" / "docs" / "checkpoints" / "last.pt").is_file()
