"""Run work on a thread with a large stack, so deeply nested rule files cannot crash us.

Parsing, checking and evaluating recurse over expression trees; a pasted formula can nest
far deeper than CPython's default limits allow. Rather than fail on such input we give the
work room (and `lower.MAX_DEPTH` turns anything beyond that room into a diagnostic).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import sys
import threading
from collections.abc import Callable, Iterator
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
    done = threading.Event()

    def work() -> None:
        _local.inside = True
        try:
            result.append(fn())
        except BaseException as exc:  # re-raised on the calling thread
            error.append(exc)
        finally:
            done.set()

    old_stack = threading.stack_size()
    old_limit = sys.getrecursionlimit()
    threading.stack_size(STACK_BYTES)
    sys.setrecursionlimit(max(old_limit, RECURSION_LIMIT))
    try:
        # a daemon, so a worker stuck in C code cannot keep an interrupted process alive
        thread = threading.Thread(target=work, name="syncrules", daemon=True)
        _interrupts.arm()
        _run(thread, done)
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if error:
        raise error[0]
    return result[0]


_local = threading.local()


# -- Ctrl-C ------------------------------------------------------------------------------
#
# Python delivers SIGINT to the main thread only, and the main thread is waiting for the
# worker: without help the worker would run on to the end and write its outputs (issue 11).
# So the main thread forwards the interrupt into the worker as an exception, which unwinds
# it at once through its `finally` and `except BaseException` clean-ups (a half-written
# temporary file is removed). The few steps that switch finished outputs into place are
# shielded: an interrupt that arrives during one is raised as soon as it ends, so outputs
# are switched completely or not at all.

GRACE_SECONDS = 5.0  # how long an interrupted worker may take to unwind (C code runs on)


class _Interrupts:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.shields = 0
        self.pending = False

    def arm(self) -> None:
        with self.lock:
            self.pending = False

    def interrupt(self, thread: threading.Thread) -> None:
        """Forward Ctrl-C into `thread`, or leave it pending while a shield is up."""
        with self.lock:
            self.pending = True
            if self.shields == 0 and thread.ident is not None:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(thread.ident), ctypes.py_object(KeyboardInterrupt)
                )

    @contextlib.contextmanager
    def shield(self) -> Iterator[None]:
        with self.lock:
            if self.pending:
                raise KeyboardInterrupt
            self.shields += 1
        try:
            yield
        finally:
            with self.lock:
                self.shields -= 1
                raise_now = self.pending and self.shields == 0
        if raise_now:
            raise KeyboardInterrupt


_interrupts = _Interrupts()


def shielded() -> contextlib.AbstractContextManager[None]:
    """Steps that must finish once begun (switching outputs into place): Ctrl-C during
    them is raised when they end."""
    return _interrupts.shield()


def _run(thread: threading.Thread, done: threading.Event) -> None:
    # an Event, not Thread.join(): a join interrupted by Ctrl-C marks the thread finished
    # while it still runs (CPython's bpo-45274 clean-up releases the running thread's lock)
    try:
        thread.start()  # Ctrl-C may come while it starts, too
        done.wait()
    except KeyboardInterrupt:
        if thread.ident is None:  # it never started: nothing to stop
            raise
        _interrupts.interrupt(thread)
        # the worker unwinds and re-raises KeyboardInterrupt to us through `error`; if it
        # is stuck in C code past the grace period, give up on it (it is a daemon)
        if not done.wait(GRACE_SECONDS):
            raise


# -- the cyclic garbage collector ----------------------------------------------------------


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run a step without Python's cyclic garbage collector, which runs again after it.

    Loading a record set and running a cycle build millions of objects that stay alive
    (records, their values, the plan's outcomes) and make no reference cycles: every
    collection the allocations trigger walks the ones already built, again and again, and
    that was half the python engine's CPU time on a large record set (issue 10: 32 s of
    54 s at 50,000 prospects). Reference counting still frees what the step drops; only
    cyclic garbage waits, and the collector gets it once the step is over. Nested pauses
    leave the collector as the outermost one found it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
