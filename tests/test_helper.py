"""The helper process (book/layout/helper.py): results come back in order, errors are raised here,
and a big result does not keep the helper from its next command."""

from __future__ import annotations

import threading
import time

import pytest

from book.layout.helper import Helper

BIG = 8 * 1024 * 1024
"""A result far bigger than a pipe holds (64 KiB on Linux), as a drawn PDF piece is."""


def handler(name: str, *args):
    if name == "big":
        return b"x" * BIG
    if name == "when":
        return time.monotonic()  # the system's clock: the same in both processes
    if name == "fail":
        raise ValueError("no such part")
    if name == "unsendable":
        return threading.Lock()
    raise AssertionError(name)


@pytest.fixture
def helper():
    made = Helper()
    made.start(handler)
    yield made
    made.close()


def test_a_big_result_does_not_hold_the_helper_up(helper):
    """The helper goes on with the next command while this process is still busy and has not read the
    big result: before, its send waited for this process to read, and the next command (the drawing
    of its parts) started only then."""
    helper.send("big")
    helper.send("when")
    time.sleep(1.0)  # this process busy elsewhere (drawing its own parts)
    reading = time.monotonic()
    assert len(helper.receive()) == BIG
    assert helper.receive() < reading - 0.5


def test_results_come_back_in_order_and_errors_are_raised_here(helper):
    helper.send("when")
    helper.send("fail")
    helper.send("big")
    assert isinstance(helper.receive(), float)
    with pytest.raises(ValueError, match="no such part"):
        helper.receive()
    assert len(helper.receive()) == BIG


def test_a_result_that_cannot_be_sent_is_an_error_not_a_wait(helper):
    helper.send("unsendable")
    helper.send("when")
    with pytest.raises(RuntimeError, match="could not send its result"):
        helper.receive()
    assert isinstance(helper.receive(), float)
