"""The SDK's version, kept here so reading it costs no metadata scan."""

__version__ = "0.1.0"
