"""Benchmarks: plain scripts (`python -m bench.<name>`) that print their figures and ratios."""
