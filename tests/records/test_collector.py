"""Loading runs with the cyclic garbage collector paused, and leaves it as it found it
(engine/deep.collector_paused; issue 10: the collector walking every record already read,
again and again, was half of a large load's CPU time)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from engine.deep import collector_paused
from engine.records import load as load_module

from .conftest import Files, Load, LoadError

RECORDS = "prospects:\n  - {id: p1, email: ada@example.com}\n"


@pytest.fixture
def collector_on() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_loading_reads_with_the_collector_paused(
    files: Files, load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    files({"records.yaml": RECORDS})
    seen: list[bool] = []
    parse = load_module._parse

    def spy(path: str, fmt: str) -> object:
        seen.append(gc.isenabled())
        return parse(path, fmt)

    monkeypatch.setattr(load_module, "_parse", spy)
    records = load("records.yaml")
    assert [p.id for p in records.prospects] == ["p1"]
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.usefixtures("collector_on")
def test_a_load_error_turns_the_collector_back_on(files: Files, load_error: LoadError) -> None:
    files({"records.yaml": "prospects:\n  - {email: ada@example.com}\n"})
    assert load_error("records.yaml") == (
        "records.yaml:2: record #1 in prospects, field id: missing (every prospect needs an id)"
    )
    assert gc.isenabled()


def test_a_collector_someone_turned_off_stays_off(files: Files, load: Load) -> None:
    files({"records.yaml": RECORDS})
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        load("records.yaml")
        assert not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()


@pytest.mark.usefixtures("collector_on")
def test_nested_pauses_restore_the_outermost_state() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
