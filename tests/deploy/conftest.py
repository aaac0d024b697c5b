"""Fixtures shared by the deployment tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.deploy.container import built_image


@pytest.fixture(scope="session")
def image() -> Iterator[str]:
    """The image, built once for every test that runs it (test_image, test_secure_overlay)."""
    with built_image() as tag:
        yield tag
