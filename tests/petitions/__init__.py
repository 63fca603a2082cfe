"""Tests of petitions."""
