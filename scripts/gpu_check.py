"""Render a GPU matrix of projects here; run their GPU checks on a CUDA machine; write a report.

`render` needs the generator (copier). `run` needs only a python3 with torch and the projects'
runtime packages (numpy, pyyaml, tqdm, typer, matplotlib, timm, pyarrow, ...): it installs
nothing and runs each project from its source folder (PYTHONPATH=src). Every task is in the
matrix, all features on and all off. For each project it runs the GPU-marked tests (CUDA
training, fp16/bf16, torch.compile, torch.export parity on CUDA), then short training runs on
CUDA at each precision the project supports (and once with torch.compile), plus a timm backbone
for vision and the GPT-2 small preset for text (its BPE trained on a generated corpus of made-up
words, bytes where the machine lacks `tokenizers`; once with DDP's replica and once with FSDP on
the one GPU); it records pass/fail, seconds, samples/s,
tokens/s and MFU (the text task's transformer), the peak GPU memory and the validation metric
in a Markdown report, with ONNX Runtime's providers. `run --cpu` is a dry run of the script
on a machine without CUDA (a few steps per run); without `--cpu` it stops at once there.
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO / "build" / "gpu_matrix"
# Features are switched; the other questions keep their defaults. Serving needs fastapi,
# which GPU images often lack, and has no GPU code: it stays off here.
ALL_ON = {"amp": True, "ema": True, "tensorboard": True, "ddp": True, "export": ["pt2", "onnx"]}
ALL_OFF = {"amp": False, "ema": False, "tensorboard": False, "ddp": False, "export": []}
TASKS = ["tabular", "vision", "text"]
MATRIX = {
    **{f"{task}_all_on": {"task": task, **ALL_ON} for task in TASKS},
    **{f"{task}_all_off": {"task": task, **ALL_OFF} for task in TASKS},
}
# Per task: make-data options, and train settings for a short run that still measures speed.
TASK_RUNS = {
    "tabular": (["--rows", "60000"], ["trainer.max_epochs=2", "data.batch_size=512"]),
    "vision": ([], ["trainer.max_epochs=2"]),
    "text": (["--sentences", "40000"], ["trainer.max_steps=300"]),
}
# (name, train arguments) of a project with the amp feature; one without it trains in fp32.
RUNS = [
    ("bf16", ["--set", "trainer.precision=bf16"]),
    ("fp16", ["--set", "trainer.precision=fp16"]),
    ("bf16+compile", ["--set", "trainer.precision=bf16", "--set", "trainer.compile=true"]),
]
# Per task, runs of the all-on project only: a timm backbone (channels_last, at its own input
# size) and the GPT-2 small preset (its own settings, 300 steps) on a corpus rich enough for its
# 50,304-token BPE (RICH_MB of made-up words, tokenized while the projects prepare).
RICH_MB = 60
RICH = ["--set", "data.path=data/rich.txt"]
if importlib.util.find_spec("tokenizers") is None:  # the BPE needs it; bytes do not
    RICH += ["--set", "data.tokenizer=byte"]
GPT2 = ["--config", "configs/gpt2-small.yaml", *RICH]
EXTRA_RUNS = {
    "vision": [
        ("bf16 resnet10t", ["--set", "trainer.precision=bf16", "--set", "model.name=resnet10t"])
    ],
    "text": [
        ("gpt2-small", [*GPT2, "--set", "trainer.max_steps=300"]),
        (
            "gpt2-small batch 64",
            [*GPT2, "--set", "trainer.max_steps=150", "--set", "data.batch_size=64"],
        ),
        (
            "gpt2-small fsdp",
            [*GPT2, "--set", "trainer.max_steps=300", "--set", "trainer.parallelism=fsdp"],
        ),
    ],
}
# A dry run on CPU (--cpu) checks this script and the projects' commands, not the GPU: a few
# steps per run, no fp16 (CUDA only), and the GPT-2 preset shrunk to what a CPU runs at once.
CPU_SETTINGS = ["trainer.device=cpu", "trainer.max_steps=3"]
SHRUNK = ["model.n_layer=1", "data.block_size=64", "data.batch_size=4", "trainer.compile=false"]
CPU_SMALL = dict.fromkeys(["gpt2-small", "gpt2-small batch 64", "gpt2-small fsdp"], SHRUNK)


def render(out: Path) -> None:
    """Render every project of MATRIX under `out` (serving off)."""
    import copier
    import yaml

    questions = yaml.safe_load((REPO / "copier.yml").read_text())
    out.mkdir(parents=True, exist_ok=True)
    for name, answers in MATRIX.items():
        if answers["task"] not in questions["task"]["choices"].values():
            continue
        data = {"project_name": f"gpu_{name}", **answers}
        if "serving" in questions:
            data["serving"] = False
        dst = out / f"gpu_{name}"
        copier.run_copy(str(REPO), dst, data=data, defaults=True, quiet=True, overwrite=True)
        print(f"rendered {dst}")


def sh(args: list[str], cwd: Path, timeout: float) -> tuple[int, str, float]:
    """Run a command with the project's sources on the path; return (code, output, seconds)."""
    env = {**os.environ, "PYTHONPATH": str(cwd.resolve() / "src"), "PYTHONUNBUFFERED": "1"}
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
        )
        code, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as err:
        code, output = 124, f"timed out after {timeout} s\n{err.stdout or ''}{err.stderr or ''}"
    return code, output, time.perf_counter() - start


def gpu_tests(project: Path) -> dict:
    """Run the test files that hold GPU-marked tests, with `-m gpu`."""
    files = [
        str(p.relative_to(project))
        for p in sorted((project / "tests").glob("test_*.py"))
        if "pytest.mark.gpu" in p.read_text()
    ]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "gpu", *files]
    code, output, seconds = sh(command, project, timeout=240)
    summary = next((line for line in reversed(output.splitlines()) if " in " in line), "")
    return {"code": code, "summary": summary.strip("= "), "seconds": seconds, "log": output}


def task_of(project: Path) -> str:
    answers = (project / ".copier-answers.yml").read_text()
    return next(t for t in TASKS if f"task: {t}" in answers)


def make_data(project: Path) -> dict:
    """The project's sample data, of the size TASK_RUNS gives; for the GPT-2 preset's runs, the
    rich corpus, tokenized (prepare-data)."""
    command = [sys.executable, "-m", project.name, "make-data", *TASK_RUNS[task_of(project)][0]]
    code, output, seconds = sh(command, project, timeout=300)
    if code == 0 and any(args[:2] == GPT2[:2] for _, args in planned_runs(project)):
        sys.path.insert(0, str(REPO / "benchmarks"))
        from text_data import write_corpus

        start = time.perf_counter()
        write_corpus(project / "data" / "rich.txt", RICH_MB * 10**6)
        command = [sys.executable, "-m", project.name, "prepare-data", *GPT2]
        code, more, _ = sh(command, project, timeout=600)
        output, seconds = output + more, seconds + time.perf_counter() - start
    return {"run": "make-data", "code": code, "seconds": seconds, "log": output}


def prepare(project: Path, tests: bool = True) -> dict:
    """GPU tests, then make-data (CPU work, so projects prepare in parallel)."""
    ran = gpu_tests(project) if tests else {"code": 0, "summary": "not rerun", "log": ""}
    return {"tests": ran, "make_data": make_data(project)}


def planned_runs(project: Path) -> list[tuple[str, list[str]]]:
    """The training runs of a project: RUNS (with amp, else fp32), then EXTRA_RUNS (all-on)."""
    has_amp = "precision" in (project / "configs" / "default.yaml").read_text()
    runs = RUNS if has_amp else [("fp32", [])]
    if project.name.endswith("all_on"):
        runs = [*runs, *EXTRA_RUNS.get(task_of(project), [])]
    return runs


def run_order(projects: list[Path]) -> list[tuple[Path, str, list[str]]]:
    """Every project's first run, then the extra runs, then the rest: what the time budget cuts
    is the least telling."""
    first, extras, rest = [], [], []
    for project in projects:
        runs, extra_runs = planned_runs(project), dict(EXTRA_RUNS.get(task_of(project), []))
        first.append((project, *runs[0]))
        for name, extra in runs[1:]:
            (extras if name in extra_runs else rest).append((project, name, extra))
    return [*first, *extras, *rest]


def train(project: Path, name: str, extra: list[str], cpu: bool) -> dict:
    """One training run; samples/s (tokens/s and MFU where the model reports them) are medians
    over the logged windows after the first; memory is the peak allocated on the GPU."""
    task = task_of(project)
    run_dir = f"runs/{name.replace(' ', '_')}"
    shutil.rmtree(project / run_dir, ignore_errors=True)  # a rerun starts afresh
    args = [sys.executable, "-m", project.name, "train", "--run-dir", run_dir]
    args += ["--set", "trainer.device=cuda", *extra]
    for item in [*TASK_RUNS[task][1], *(CPU_SETTINGS + CPU_SMALL.get(name, []) if cpu else [])]:
        args += ["--set", item]
    code, output, seconds = sh(args, project, timeout=200)
    result = {"run": name, "code": code, "seconds": seconds, "log": output}
    metrics = project / run_dir / "metrics.jsonl"
    if code == 0 and metrics.is_file():
        records = [json.loads(line) for line in metrics.read_text().splitlines() if line]
        train_records = [r for r in records if "samples_per_s" in r]
        later = train_records[1:] or train_records

        def median(key: str) -> float | None:
            values = [r[key] for r in later if r.get(key) is not None]
            return statistics.median(values) if values else None

        result.update(
            samples_per_s=median("samples_per_s"),
            tokens_per_s=median("tokens_per_s"),
            mfu=median("mfu"),
            mem_gib=max((r.get("cuda_max_mem_gib", 0.0) for r in train_records), default=None),
        )
        metric = "loss" if task == "text" else "r2" if "val/r2" in str(records) else "acc"
        val = [r for r in records if "val/loss" in r][-1]
        result["val"] = f"{metric} {val.get(f'val_ema/{metric}', val[f'val/{metric}']):.4f}"
    return result


def onnxruntime_line() -> str:
    try:
        import onnxruntime
    except ImportError:
        return "ONNX Runtime: not installed (the ONNX parity checks ran on no device)."
    providers = onnxruntime.get_available_providers()
    cuda = "CUDAExecutionProvider" in providers
    return f"ONNX Runtime {onnxruntime.__version__}, providers {', '.join(providers)}" + (
        "." if cuda else ": no CUDA provider, so ONNX parity runs on the CPU provider only."
    )


def fmt(value: float | None, spec: str) -> str:
    return "" if value is None else format(value, spec)


def run(
    root: Path, report: Path, cpu: bool = False, budget_s: float = 480, only: str | None = None
) -> int:
    """GPU tests and make-data of all projects in parallel, then the timed training runs one at
    a time while `budget_s` lasts (a run not started in time is reported as such). The report is
    rewritten after each run, so a run cut short still leaves one. `only`: a regular expression
    that "PROJECT tests" and "PROJECT RUN" must match to be run (a rerun of what failed)."""
    import torch

    if not cpu and not torch.cuda.is_available():
        sys.exit("gpu_check: no CUDA device here (torch sees none): run it on a GPU machine")
    start = time.perf_counter()
    projects = sorted(p for p in root.iterdir() if (p / "pyproject.toml").is_file())

    def chosen(project: Path, name: str) -> bool:
        return only is None or re.fullmatch(only, f"{project.name} {name}") is not None

    if not projects:
        sys.exit(f"gpu_check: no rendered projects under {root}: run `gpu_check.sh render` first")
    projects = [p for p in projects if any(chosen(p, n) for n in ["tests", *dict(planned_runs(p))])]
    if not projects:
        sys.exit(f"gpu_check: --only {only!r} matches no project's tests or runs")
    device = "CPU dry run" if cpu else torch.cuda.get_device_name(0)
    header = [
        "# GPU check",
        "",
        f"{device}, torch {torch.__version__}, CUDA {torch.version.cuda}, "
        f"{time.strftime('%Y-%m-%d')}. Produced by `scripts/gpu_check.sh run`.",
        "",
        onnxruntime_line(),
        "",
        "Training runs: "
        + "; ".join(
            f"{t}: make-data {' '.join(m) or '(defaults)'}, {', '.join(s)}"
            for t, (m, s) in TASK_RUNS.items()
        )
        + ". samples/s, tokens/s and MFU are medians over the logged windows after the first;",
        "MFU only for models with a FLOP count (text); GPU memory is the peak of",
        "`torch.cuda.max_memory_allocated`.",
        "",
        "| project | GPU tests | run | result | seconds | samples/s | tokens/s | MFU | GPU GiB"
        " | validation |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    with ThreadPoolExecutor(max_workers=len(projects)) as pool:
        jobs = [pool.submit(prepare, p, chosen(p, "tests")) for p in projects]
        prepared = {p: job.result() for p, job in zip(projects, jobs, strict=True)}
    results: dict[tuple[Path, str], dict] = {}

    def ran(project: Path) -> list[dict]:
        return [results[project, n] for n, _ in planned_runs(project) if (project, n) in results]

    def write() -> int:
        lines, failed = list(header), 0
        for project in projects:
            t = prepared[project]["tests"]
            failed += t["code"] != 0
            test_cell = f"{'pass' if t['code'] == 0 else 'FAIL'}: {t['summary']}"
            rows = [prepared[project]["make_data"], *ran(project)]
            for r in rows:
                if r["run"] == "make-data" and r["code"] == 0:
                    continue
                failed += r["code"] not in (0, None)
                status = {0: "pass", None: "not run: time budget spent"}.get(
                    r["code"], f"FAIL ({r['code']})"
                )
                cells = [
                    project.name,
                    test_cell,
                    r["run"],
                    status,
                    fmt(r.get("seconds"), ".1f"),
                    fmt(r.get("samples_per_s"), ",.0f"),
                    fmt(r.get("tokens_per_s"), ",.0f"),
                    fmt(r.get("mfu"), ".1%"),
                    fmt(r.get("mem_gib"), ".2f"),
                    r.get("val", ""),
                ]
                lines.append("| " + " | ".join(cells) + " |")
                test_cell = ""
            if test_cell:  # tests alone (a rerun of them)
                lines.append("| " + " | ".join([project.name, test_cell, *[""] * 8]) + " |")
        lines += ["", f"Failures: {failed}", ""]
        for project in projects:
            for entry in [
                prepared[project]["tests"],
                prepared[project]["make_data"],
                *ran(project),
            ]:
                if entry["code"] not in (0, None):
                    name = entry.get("run", "tests")
                    lines += [
                        f"## {project.name} {name}",
                        "",
                        "```",
                        entry["log"][-4000:],
                        "```",
                        "",
                    ]
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text("\n".join(lines))
        return failed

    write()
    for project, name, extra in run_order(projects):
        skip = (cpu and "fp16" in name) or not chosen(project, name)
        if prepared[project]["make_data"]["code"] != 0 or skip:
            continue
        if time.perf_counter() - start > budget_s:
            results[project, name] = {"run": name, "code": None}
            continue
        results[project, name] = train(project, name, extra, cpu)
        print(f"{project.name} {name}: code {results[project, name]['code']}", flush=True)
        write()
    failed = write()
    print(report.read_text())
    return 1 if failed else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["render", "run"])
    parser.add_argument("dir", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("report", nargs="?", type=Path, default=DEFAULT_DIR / "report.md")
    parser.add_argument("--cpu", action="store_true", help="dry run on CPU: a few steps per run")
    parser.add_argument("--budget-s", type=float, default=480, help="start no run after this")
    parser.add_argument("--only", help='regex over "PROJECT tests" / "PROJECT RUN" to run')
    args = parser.parse_args()
    if args.step == "render":
        render(args.dir)
    else:
        sys.exit(run(args.dir, args.report, args.cpu, args.budget_s, args.only))


if __name__ == "__main__":
    main()
