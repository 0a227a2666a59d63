"""The package version, in one place for the CLI, the health endpoint and the exports."""

__version__ = "0.1.0"
