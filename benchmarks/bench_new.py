"""Time `torchgen new --defaults` against plain `copier copy --defaults`, and `torchgen --help`.

Each round runs the three commands once, in alternating order, as subprocesses; the medians are
reported. Goals: torchgen/copier <= 1.1 and `--help` < 0.3 s. It reports and never fails.

    python benchmarks/bench_new.py --rounds 7
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from torchgen_cli.render import resolve_source


def script(name: str) -> str:
    """Return the console script `name` installed beside this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} is not installed")
    return found


def timed(command: list[str]) -> float:
    """Run a command and return its wall time in seconds; stop if it fails."""
    start = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{completed.stderr}")
    return elapsed


def main() -> None:
    """Run the interleaved rounds and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default 7)")
    args = parser.parse_args()

    torchgen, copier = script("torchgen"), script("copier")
    source = resolve_source(None, None)  # the template torchgen renders by default
    ref = ["--vcs-ref", source.vcs_ref] if source.vcs_ref else []
    names = ["torchgen new --no-git", "copier copy", "torchgen new", "torchgen --help"]
    times: dict[str, list[float]] = {name: [] for name in names}
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(args.rounds + 1):  # round 0 warms the caches and is not counted
            commands = {
                # The same work as `copier copy`; plain `new` adds `git init` and a first commit.
                "torchgen new --no-git": [
                    torchgen,
                    "new",
                    f"{tmp}/ng{index}",
                    "--defaults",
                    "--no-git",
                ],
                "torchgen new": [torchgen, "new", f"{tmp}/tg{index}", "--defaults"],
                "copier copy": [
                    copier,
                    "copy",
                    "--quiet",
                    "--defaults",
                    *ref,
                    source.location,
                    f"{tmp}/cp{index}",
                ],
                "torchgen --help": [torchgen, "--help"],
            }
            order = list(commands) if index % 2 else list(reversed(commands))
            for name in order:
                elapsed = timed(commands[name])
                if index:
                    times[name].append(elapsed)

    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"template: {source.location}" + (f" @ {source.vcs_ref}" if source.vcs_ref else ""))
    print(f"rounds: {args.rounds}")
    for name, median in medians.items():
        print(f"{name:<22} median {median:.3f} s  (min {min(times[name]):.3f} s)")
    ratio = medians["torchgen new --no-git"] / medians["copier copy"]
    print(f"torchgen new --no-git / copier copy  {ratio:.2f}  (goal <= 1.1)")
    ratio = medians["torchgen new"] / medians["copier copy"]
    print(f"torchgen new (with git) / copier copy  {ratio:.2f}")
    print(f"--help           {medians['torchgen --help']:.3f} s  (goal < 0.3 s)")


if __name__ == "__main__":
    main()
