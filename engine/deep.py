"""Run work on a thread with a large stack, so deeply nested rule files cannot crash us.

Parsing, checking and evaluating recurse over expression trees; a pasted formula can nest
far deeper than CPython's default limits allow. Rather than fail on such input we give the
work room (and `lower.MAX_DEPTH` turns anything beyond that room into a diagnostic).
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 200_000


def call_deep(fn: Callable[[], T]) -> T:
    """Call fn() on a big-stack thread and return its result or raise its exception."""
    if getattr(_local, "inside", False):
        return fn()
    result: list[T] = []
    error: list[BaseException] = []

    def work() -> None:
        _local.inside = True
        try:
            result.append(fn())
        except BaseException as exc:  # re-raised on the calling thread
            error.append(exc)

    old_stack = threading.stack_size()
    old_limit = sys.getrecursionlimit()
    threading.stack_size(STACK_BYTES)
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    try:
        thread = threading.Thread(target=work, name="syncrules")
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if error:
        raise error[0]
    return result[0]


_local = threading.local()
