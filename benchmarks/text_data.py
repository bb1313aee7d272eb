"""Text data at scale: BPE encoding speed, and memory while training on a large corpus.

Renders a text project with torchgen's defaults and generates corpora of Zipf-distributed
made-up words in sentences and lines (no two runs of the benchmark need the network).

1. encode: a corpus of `--encode-mb` MB and a BPE of 8192 tokens trained on its first 20 MB.
   In fresh processes, interleaved `--rounds` times: the project's tokenizing (`write_tokens`:
   the file read in blocks, cut into pieces, encoded in parallel, written as uint16 ids) against
   `tokenizers`' own batch encode of the same text (the file read whole, `encode_batch` of its
   lines). Prints the median tokens/s of each and their ratio; goal: at least 1.
2. memory: corpora of `--small-mb` and `--large-mb` MB, each tokenized beforehand with
   `prepare-data`, then `train` of a small GPT for `--steps` steps in a fresh process (one
   process, no DataLoader workers). Prints each run's peak resident memory and how much more
   the large corpus took, against the large corpus's size; goal: under 10%.

It exits 1 when a goal is missed.

    .venv/bin/python benchmarks/text_data.py --encode-mb 200 --large-mb 1024 --rounds 3
"""

import argparse
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rendered import render_project

VOCAB = 8192
TRAIN_BYTES = 20_000_000


def write_corpus(path: Path, size: int, seed: int = 0) -> None:
    """About `size` bytes of sentences of 50,000 made-up words drawn with Zipf frequencies, a
    few sentences per line."""
    import numpy as np

    rng = np.random.default_rng(seed)
    letters = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
    frequencies = "127 91 82 75 70 67 63 61 60 43 40 28 28 24 24 22 20 20 19 15 10 8 2 2 1 1"
    weights = np.array(frequencies.split(), dtype=float)  # English letter frequencies, per mille
    lengths = rng.integers(1, 11, 50_000)
    words = np.array(["".join(rng.choice(letters, n, p=weights / weights.sum())) for n in lengths])
    zipf = 1 / np.arange(1, len(words) + 1)
    written = 0
    with path.open("w") as f:
        while written < size:
            picks = words[rng.choice(len(words), 200_000, p=zipf / zipf.sum())]
            cuts = np.cumsum(rng.integers(5, 25, 20_000))
            sentences = [" ".join(s) for s in np.split(picks, cuts[cuts < len(picks)])]
            sentences = [s[:1].upper() + s[1:] + "." for s in sentences if s]
            lines = [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]
            text = "\n".join(lines) + "\n"
            f.write(text)
            written += len(text)


def tokenizer_for(corpus: Path, package: str, out: Path) -> None:
    """Train the benchmark's BPE on the corpus's start and save it as `out`."""
    tokenizer = importlib.import_module(f"{package}.data.tokenizer")
    texts = importlib.import_module(f"{package}.data.corpus").find_corpus(str(corpus))
    out.write_text(tokenizer.train_bpe(texts.sample(TRAIN_BYTES), VOCAB, str(corpus)).to_str())


def encode_project(corpus: Path, saved: Path, package: str) -> int:
    """The project's way: write_tokens of the whole corpus; returns the tokens written."""
    import numpy as np

    tokenizer = importlib.import_module(f"{package}.data.tokenizer")
    corpus_module = importlib.import_module(f"{package}.data.corpus")
    bpe = tokenizer.BPETokenizer.from_str(saved.read_text())
    out = corpus.with_suffix(".bin")
    corpus_module.write_tokens(corpus_module.find_corpus(str(corpus)), bpe, out, np.dtype("uint16"))
    tokens = out.stat().st_size // 2 - 1  # less the end-of-text token after the file
    out.unlink()
    return tokens


def encode_library(corpus: Path, saved: Path, package: str) -> int:
    """tokenizers' own batch encode of the file's lines; returns the tokens it made."""
    del package
    from tokenizers import Tokenizer

    bpe = Tokenizer.from_str(saved.read_text())
    lines = corpus.read_text().splitlines(keepends=True)
    return sum(len(e.ids) for e in bpe.encode_batch(lines, add_special_tokens=False))


def child(way: str, corpus: Path, saved: Path, package: str) -> None:
    """One encoding, in this fresh process: prints tokens and seconds as JSON."""
    import tokenizers  # noqa: F401  (imports are not part of the encoding)

    importlib.import_module(f"{package}.data.corpus")
    start = time.perf_counter()
    tokens = {"project": encode_project, "library": encode_library}[way](corpus, saved, package)
    print(json.dumps({"tokens": tokens, "seconds": time.perf_counter() - start}))


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc


def encode_benchmark(work: Path, project: Path, size_mb: float, rounds: int) -> float:
    corpus = work / "encode.txt"
    write_corpus(corpus, int(size_mb * 1e6))
    env = {**os.environ, "PYTHONPATH": str(project / "src")}
    script = [sys.executable, __file__, "--corpus", str(corpus), "--package", project.name]
    run([*script, "--child", "train-bpe"], work, env)
    results: dict[str, list[dict[str, float]]] = {"project": [], "library": []}
    for _ in range(rounds):
        for way in results:
            proc = run([*script, "--child", way], work, env)
            results[way].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    rate = {
        w: statistics.median(r["tokens"] / r["seconds"] for r in rs) for w, rs in results.items()
    }
    tokens = {w: rs[0]["tokens"] for w, rs in results.items()}
    print(f"encode: {size_mb:.0f} MB corpus, BPE of {VOCAB} tokens, {rounds} rounds, median")
    print("| encoder | tokens | tokens/s |")
    print("|---|---|---|")
    for way in results:
        print(f"| {way} | {tokens[way]} | {rate[way]:,.0f} |")
    ratio = rate["project"] / rate["library"]
    same = tokens["project"] == tokens["library"]
    print(f"project / library: {ratio:.2f}x (goal >= 1); the same tokens: {same}")
    return ratio


def train_child(package: str, args: list[str], out: Path) -> None:
    """Run the project's command line with `args` in this process, then write this process's
    peak resident memory (MiB) to `out`."""
    cli = importlib.import_module(f"{package}.cli")
    sys.argv = [package, *args]
    try:
        cli.main()
    finally:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out.write_text(json.dumps({"peak_mib": peak}))


def memory_benchmark(
    work: Path, project: Path, small_mb: float, large_mb: float, steps: int
) -> float:
    settings = [
        "data.tokenizer=bpe",
        f"data.vocab_size={VOCAB}",
        f"data.tokenizer_train_bytes={TRAIN_BYTES}",
        "data.block_size=256",
        "data.stride=256",
        "data.batch_size=16",
        "data.val_batches=5",
        "model.n_layer=2",
        "model.n_embd=64",
        "trainer.device=cpu",
        f"trainer.max_steps={steps}",
        "trainer.max_epochs=1",
        "trainer.log_every_n_steps=50",
    ]
    overrides = [arg for setting in settings for arg in ("--set", setting)]
    env = {
        **os.environ,
        "PYTHONPATH": str(project / "src"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{work}/mlflow.db",
    }
    script = [sys.executable, __file__, "--package", project.name]
    peaks, sizes = {}, {}
    for name, size_mb in (("small", small_mb), ("large", large_mb)):
        corpus = work / name / "corpus.txt"
        corpus.parent.mkdir()
        write_corpus(corpus, int(size_mb * 1e6))
        sizes[name] = corpus.stat().st_size / 2**20
        data = ["--set", f"data.path={corpus}"]
        start = time.perf_counter()
        run([sys.executable, "-m", project.name, "prepare-data", *overrides, *data], work, env)
        prepared = time.perf_counter() - start
        report = work / f"peak-{name}.json"
        train = ["train", "--run-dir", str(work / f"run-{name}"), *overrides, *data]
        start = time.perf_counter()
        run([*script, "--child", "train", "--corpus", str(report), "--", *train], work, env)
        trained = time.perf_counter() - start
        peaks[name] = json.loads(report.read_text())["peak_mib"]
        print(
            f"{name}: {sizes[name]:.0f} MiB corpus; prepare-data {prepared:.0f} s, "
            f"train ({steps} steps) {trained:.0f} s, peak RSS {peaks[name]:.0f} MiB"
        )
    grown = peaks["large"] - peaks["small"]
    growth = grown / sizes["large"]
    print(
        f"peak RSS grew by {grown:.0f} MiB for {sizes['large'] - sizes['small']:.0f} MiB more "
        f"corpus: {growth:.1%} of the large corpus's size (goal < 10%)"
    )
    return growth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--encode-mb", type=float, default=200)
    parser.add_argument("--small-mb", type=float, default=10)
    parser.add_argument("--large-mb", type=float, default=1024)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ref", default="HEAD", help="git ref of the template to render")
    parser.add_argument("--skip", choices=["encode", "memory"], help="leave one part out")
    children = ["train-bpe", "project", "library", "train"]
    parser.add_argument("--child", choices=children, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--package", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "train":
        train_child(args.package, args.rest, args.corpus)
    elif args.child == "train-bpe":
        tokenizer_for(args.corpus, args.package, args.corpus.parent / "bpe.json")
    elif args.child:
        child(args.child, args.corpus, args.corpus.parent / "bpe.json", args.package)
    else:
        benchmark(args)


def benchmark(args: argparse.Namespace) -> None:
    missed = False
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = render_project(work / "text_bench", args.ref, task="text")
        if args.skip != "encode":
            missed |= encode_benchmark(work, project, args.encode_mb, args.rounds) < 1
        if args.skip != "memory":
            growth = memory_benchmark(work, project, args.small_mb, args.large_mb, args.steps)
            missed |= growth >= 0.10
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
