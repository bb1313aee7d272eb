"""Training loop, optimisation, evaluation and checkpoints."""
