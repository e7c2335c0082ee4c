"""The dashboard keeps per-customer figures in the cache (a snapshot per filter and day): start every test empty."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_dashboard_snapshots() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
