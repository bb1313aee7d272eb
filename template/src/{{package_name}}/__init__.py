"""Data, model, training loop and command line of the project."""

__version__ = "0.1.0"
