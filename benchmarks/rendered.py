"""A project rendered from this checkout's template, for the benchmarks that measure one."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def render_project(dst: Path, ref: str = "HEAD", **answers: str) -> Path:
    """`torchgen new DST --defaults --no-git` from this repository's template at git `ref`,
    named after DST, with `answers` (e.g. task="vision") on top of the defaults."""
    torchgen = str(Path(sys.executable).parent / "torchgen")
    new = [torchgen, "new", str(dst), "--defaults", "--no-git", "--template", str(REPO)]
    new += ["--vcs-ref", ref]
    for key, value in {"project_name": dst.name, **answers}.items():
        new += ["--data", f"{key}={value}"]
    subprocess.run(new, check=True, capture_output=True)
    return dst
