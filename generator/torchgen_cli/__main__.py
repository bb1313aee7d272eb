"""Run the torchgen command line as `python -m torchgen_cli`."""

from torchgen_cli.cli import main

main()
