"""Benchmarks: synthetic data over the real roster and the scale runs (never part of the default test run)."""
