"""Vision training data pipeline: the generated project's loader against torchvision's.

Renders a vision project with torchgen's defaults and writes a folder of `--images` real-size
photos-like JPEGs (500x375, quality 90, smooth colour fields with noise, in 4 class folders).
Each measurement iterates the training loader for one epoch and counts images per second after
the first batch (worker start-up excluded, for both):

- project: the project's `load_splits` and `build_dataloader` (its ImageDataset: Pillow decode
  with JPEG draft mode at the smallest size the random crop needs, EXIF transpose, per-image
  seeded augmentation; its v2 transform: RandomResizedCrop, horizontal flip, ColorJitter, to a
  uint8 tensor), batch 64: the batches as the trainer moves them to the device, where its
  `device_inputs` normalizes them (on a GPU, nearly free); and again with that normalization
  run here, on the CPU in the main process, as training on a CPU does;
- torchvision: `torchvision.datasets.ImageFolder` with the same v2 transform, in a DataLoader
  with the same batch size, shuffling and worker count.

For each image size (`--sizes`, default 32 and 224) and worker count (0 and 2) the two are
interleaved `--rounds` times; the script prints the median images/s of each and the ratios.
Goal (docs/benchmarks.md): the project's pipeline at least 1.0x torchvision's throughput in
every setting (the first ratio; the second says what normalizing on a CPU costs); it exits 1
when one is missed.

    .venv/bin/python benchmarks/vision_pipeline.py --images 640 --rounds 5
"""

import argparse
import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rendered import render_project

CLASSES = ["alpha", "beta", "gamma", "delta"]


def write_images(root: Path, count: int, seed: int = 0) -> None:
    """`count` 500x375 JPEGs, spread over the class folders."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:375, 0:500].astype(np.float32)
    for i in range(count):
        folder = root / CLASSES[i % len(CLASSES)]
        folder.mkdir(parents=True, exist_ok=True)
        a, b, c = rng.uniform(0.005, 0.03, 3)
        base = np.stack([np.sin(a * xx + b * yy + k * c * 40) for k in range(3)], axis=-1)
        pixels = (base + 1) * 110 + rng.normal(0, 12, (375, 500, 3))
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
        image.save(folder / f"img_{i:05d}.jpg", quality=90)


def torchvision_loader(root: Path, cfg: object, num_workers: int) -> object:
    """ImageFolder with the same augmentation as the project's, in a plain DataLoader."""
    import torch
    from torch.utils.data import DataLoader
    from torchvision.datasets import ImageFolder
    from torchvision.transforms import v2

    size = (cfg.image_size, cfg.image_size)
    transform = v2.Compose(
        [
            v2.RandomResizedCrop(size, scale=(cfg.min_crop_scale, 1.0), antialias=True),
            v2.RandomHorizontalFlip(),
            v2.ColorJitter(cfg.color_jitter, cfg.color_jitter, cfg.color_jitter),
            v2.ToImage(),
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(cfg.mean, cfg.std),
        ]
    )
    dataset = ImageFolder(str(root), transform=transform)
    return DataLoader(
        dataset,
        batch_size=cfg.batch_size,
        shuffle=True,
        num_workers=num_workers,
        drop_last=True,
        persistent_workers=num_workers > 0,
    )


def project_loader(root: Path, package: str, size: int, num_workers: int) -> tuple:
    """The project's training loader, its resolved data config and its device_inputs."""
    config = importlib.import_module(f"{package}.config")
    task = importlib.import_module(f"{package}.task")
    loader = importlib.import_module(f"{package}.data.loader")
    overrides = [f"data.path={root}", f"data.image_size={size}", "data.val_fraction=0.01"]
    overrides += [f"data.num_workers={num_workers}"]
    cfg = config.load_config(None, overrides).data
    splits = task.load_splits(cfg, seed=0)
    train = loader.build_dataloader(
        splits.train,
        batch_size=cfg.batch_size,
        shuffle=True,
        num_workers=num_workers,
        seed=0,
        pin_memory=False,
    )
    return train, cfg, splits.device_inputs


def images_per_s(loader: object, inputs: object = None) -> float:
    """One epoch; images/s after the first batch. `inputs`: what turns a batch into the model's
    input (the project's device_inputs, run here on the CPU, as CPU training does)."""
    batches = iter(loader)
    next(batches)
    start, images = time.perf_counter(), 0
    for x, _ in batches:
        if inputs is not None:
            (x,) = inputs(x)
        images += x.shape[0]
    if not images:
        sys.exit("vision_pipeline: fewer than two batches of images: raise --images")
    return images / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=640)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 224])
    parser.add_argument("--workers", type=int, nargs="+", default=[0, 2])
    parser.add_argument("--ref", default="HEAD", help="git ref of the template to render")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        project = render_project(work / "vision_bench", args.ref, task="vision")
        sys.path.insert(0, str(project / "src"))
        images = work / "images"
        write_images(images, args.images)
        rows, missed = [], False
        for size in args.sizes:
            for workers in args.workers:
                speeds: dict[str, list[float]] = {"project": [], "cpu": [], "torchvision": []}
                for _ in range(args.rounds):
                    ours, cfg, inputs = project_loader(images, project.name, size, workers)
                    speeds["project"].append(images_per_s(ours))
                    speeds["cpu"].append(images_per_s(ours, inputs))
                    theirs = torchvision_loader(images, cfg, workers)
                    speeds["torchvision"].append(images_per_s(theirs))
                    del ours, theirs
                median = {way: statistics.median(s) for way, s in speeds.items()}
                ratio = median["project"] / median["torchvision"]
                missed |= ratio < 1.0
                rows.append((size, workers, *median.values(), ratio))
    print(
        f"{args.images} JPEGs of 500x375, batch 64, augment standard; one epoch a measurement, "
        f"images/s after the first batch; median of {args.rounds} interleaved rounds"
    )
    print(
        "| image size | workers | project images/s | with normalization on the CPU "
        "| torchvision images/s | ratio | ratio, normalizing on the CPU |"
    )
    print("|---|---|---|---|---|---|---|")
    for size, workers, ours, cpu, theirs, ratio in rows:
        cells = f"{ours:.0f} | {cpu:.0f} | {theirs:.0f} | {ratio:.2f} | {cpu / theirs:.2f}"
        print(f"| {size} | {workers} | {cells} |")
    print(f"goal: ratio >= 1.0 in every row: {'missed' if missed else 'met'}")
    if missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
