"""The package version: the one place it is written (pyproject reads it; importlib.metadata is slow to import)."""

__version__ = "0.1.0"
