"""Fakes of the chat platforms' HTTP APIs, shared by tests and benchmarks."""
