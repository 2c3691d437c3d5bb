"""The measurements behind scripts/bench.py, one module per quality target of the brief."""
