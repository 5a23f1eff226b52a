from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import chromium


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = chromium.unavailable()
    if reason is not None:
        if os.environ.get("SYNCRULES_BROWSER_REQUIRED"):
            pytest.fail(f"a browser is required here (SYNCRULES_BROWSER_REQUIRED) but {reason}")
        pytest.skip(reason)
    with chromium.browser() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page; any request that is not for a local file fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    fetched: list[str] = []

    def guard(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            fetched.append(url)
            route.abort()

    context.route("**/*", guard)
    opened = context.new_page()
    yield opened
    context.close()
    assert fetched == [], f"the page tried to fetch {fetched}"
