"""Shared fixtures. Corpus tests read ../shared/data: they skip (with the reason shown by -ra)
when it is absent on a developer's machine, and fail when it is absent in CI (CI=true)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (REPO_ROOT.parent / "shared" / "data").resolve()


def shared_data_path() -> Path:
    """The corpus folder, or skip/fail as described in the module docstring."""
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but the corpus folder {SHARED_DATA} is missing")
    pytest.skip(f"corpus folder {SHARED_DATA} not present (corpus tests run in CI)")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return shared_data_path()
