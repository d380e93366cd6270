"""Benchmarks and quality evaluations (not part of the installed package)."""
