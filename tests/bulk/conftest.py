"""Fixtures the bulk engines' tests share."""

from __future__ import annotations

from typing import Any

import pytest

from engine import api


@pytest.fixture
def direct(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each `run` took the direct path (api.run_direct gave a result)."""
    taken: list[bool] = []
    run_direct = api.run_direct

    def watched(*args: Any, **kwargs: Any) -> api.DirectRunResult | None:
        result = run_direct(*args, **kwargs)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(api, "run_direct", watched)
    return taken
