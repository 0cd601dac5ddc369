"""Hark: a self-hosted voice assistant server for customer service and sales."""

__version__ = "0.1.0"
