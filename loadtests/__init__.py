"""Load tests and benchmarks of the running service (not part of the installed package)."""
