"""The ``secdilemma`` command: one module per command group, joined in :mod:`.app`."""

from secdilemma.cli.app import app

__all__ = ["app"]
