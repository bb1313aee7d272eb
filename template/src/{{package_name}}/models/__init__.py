"""The task's model; task.py's `build_model` builds it from config and data."""
