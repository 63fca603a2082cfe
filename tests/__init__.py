"""Loa Làng test suite."""
