"""Benchmarks behind `make bench` (python -m tests.bench): never collected by pytest, never asserted."""
