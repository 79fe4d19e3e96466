"""Where built test data is kept between runs: ``~/.cache/oews-bot-tests/`` or ``$OEWS_TEST_CACHE``.

Read once, when the tests start (each test runs with the ``OEWS_`` settings scrubbed). Shared by
the xdist workers and by parallel runs: whatever is built there is built under a file lock and
written aside, then renamed."""

from __future__ import annotations

import os
from pathlib import Path

_CACHE = Path(os.environ.get("OEWS_TEST_CACHE") or Path.home() / ".cache" / "oews-bot-tests")


def cache_dir() -> Path:
    _CACHE.mkdir(parents=True, exist_ok=True)
    return _CACHE
