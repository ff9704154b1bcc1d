"""Corridor's benchmarks: `python -m benchmarks` prints one JSON object of figures."""
