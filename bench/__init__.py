"""chime-local's benchmarks: ``python -m bench`` (or ``./run bench``) writes ``bench/RESULTS.md``."""
