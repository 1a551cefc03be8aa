"""Benchmarks: each module here has a ``main(argv)`` and is run by ``python -m bench``."""
