"""What the Python benches share: the source tree, the integration tests'
harness (tests/integration/quire_harness.py: Quired, Client, wait_for...)
and the percentile their figures use. Imported as a sibling module: the
benches run as `python3 bench/<name>.py`, which puts bench/ on sys.path."""
import importlib.util
import os

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_spec = importlib.util.spec_from_file_location(
    "quire_harness", os.path.join(SOURCE_DIR, "tests", "integration", "quire_harness.py"))
harness = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(harness)


def percentile(sorted_values, p):
    """The p-th percentile of `sorted_values` (nearest rank); nan when empty."""
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]
