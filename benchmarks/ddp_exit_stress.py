"""Two-process DDP launches on CPU, many times, some side by side: how many fail.

Renders a tabular project (defaults, DDP on), writes a small sample and a short two-epoch
config, and launches `torchrun --standalone --nproc_per_node=2 -m <project> train` N times,
`--parallel` at a time (more processes than cores puts the machine under load, where a
process-exit race shows). Prints the count of failed launches and of aborts ("terminate called
without an active exception") and exits 1 if any launch failed.

    .venv/bin/python benchmarks/ddp_exit_stress.py --launches 50 --parallel 1
    .venv/bin/python benchmarks/ddp_exit_stress.py --launches 50 --parallel 2
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "ddp_stress"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=50, help="torchrun launches in all.")
    parser.add_argument("--parallel", type=int, default=2, help="Launches at a time.")
    parser.add_argument("--ref", default="HEAD", help="Template git ref (compare versions).")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ddp_stress_"))
    project = work / PACKAGE
    new = [str(Path(sys.executable).parent / "torchgen"), "new", str(project), "--defaults"]
    new += ["--no-git", "--template", str(REPO), "--vcs-ref", args.ref]
    new += ["--data", f"project_name={PACKAGE}", "--data", "task=tabular", "--data", "ddp=true"]
    subprocess.run(new, check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(project / "src"), "OMP_NUM_THREADS": "1"}
    make_data = [sys.executable, "-m", PACKAGE, "make-data", "--rows", "605", "--out", "data"]
    subprocess.run(make_data, cwd=work, env=env, check=True, capture_output=True)
    config = {
        "data": {"path": str(work / "data" / "train.csv"), "batch_size": 32},
        "model": {"hidden_sizes": [32]},
        "trainer": {"max_epochs": 2, "device": "cpu"},
    }
    (work / "ddp.yaml").write_text(yaml.safe_dump(config))

    def launch(i: int) -> tuple[int, bool]:
        command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
        command += ["--nproc_per_node=2", "-m", PACKAGE, "train", "--config", "ddp.yaml"]
        command += ["--run-dir", f"runs/{i}"]
        proc = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
        return proc.returncode, "terminate called" in proc.stderr

    start = time.perf_counter()
    with ThreadPoolExecutor(args.parallel) as pool:
        results = list(pool.map(launch, range(args.launches)))
    failed = sum(code != 0 for code, _ in results)
    aborts = sum(abort for _, abort in results)
    print(
        f"{args.launches} launches, {args.parallel} at a time: {failed} failed, {aborts} aborts "
        f"({time.perf_counter() - start:.0f} s)"
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
