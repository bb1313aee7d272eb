"""torchgen: generate complete, tested PyTorch projects from a Copier template."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("torchgen-cli")
except PackageNotFoundError:
    __version__ = "0+unknown"
