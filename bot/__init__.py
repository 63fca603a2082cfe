"""Loa Làng application package: configuration, wiring, channels, scheduler, web server and CLI."""

__version__ = "0.1.0"
