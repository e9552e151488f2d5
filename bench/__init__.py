"""Benchmarks: `make bench` prints one JSON line per figure; nothing here asserts on time."""
