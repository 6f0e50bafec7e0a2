"""Benchmarks that print figures. None of them asserts a time; run `python -m bench.<name>`."""
