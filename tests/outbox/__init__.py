"""Tests of outbox."""
