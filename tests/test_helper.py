"""The helper process (book/layout/helper.py): results come back in order, errors are raised here,
and a big result does not keep the helper from its next command."""

from __future__ import annotations

import threading
import time

import pytest

from book.layout.helper import Helper

BIG = 8 * 1024 * 1024
"""A result far bigger than a pipe holds (64 KiB on Linux), as a drawn PDF piece is."""


RUNNING: list = [None]
"""The helper the handler serves (forked with it: in the helper, its own copy)."""


def handler(name: str, *args):
    if name == "idle":  # work worth doing only while nothing else is asked for
        started = time.monotonic()
        while not RUNNING[0].waiting() and time.monotonic() - started < 5:
            time.sleep(0.01)
        return time.monotonic() - started
    if name == "say":  # what the engine says in the helper goes back with the result
        RUNNING[0].said().append(args[0])
        return None
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
    said: list[str] = []
    made = RUNNING[0] = Helper(said=lambda: said)
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


@pytest.mark.parametrize("aside", [False, True])
def test_results_come_back_in_order_and_errors_are_raised_here(helper, aside):
    """A command sent aside too: its result is dropped, but what it raised is raised, in order."""
    helper.send("when")
    (helper.send_aside if aside else helper.send)("fail")
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


def test_a_command_sent_aside_gives_way_and_its_result_is_dropped(helper):
    """A command sent aside (the helper laying out parts it may be asked for again) runs only until
    another command comes, and its result is read and dropped, with what the engine said meanwhile."""
    helper.send_aside("idle")
    time.sleep(0.5)
    asked = time.monotonic()
    helper.send("when")
    assert helper.receive() < asked + 1.0  # not after the 5 s the idle command would have taken
    assert helper.pending == 0 and helper.order == []
    helper.send_aside("say", "a warning from a layout done in case")
    helper.send("say", "a warning from a layout asked for")
    helper.receive()
    assert helper.messages == ["a warning from a layout asked for"]


def test_the_numbers_the_helper_guesses_are_those_on_the_other_side_of_a_boundary():
    """While this process finishes its share, the helper lays its parts out again with each
    cross-reference number that stands on a boundary of digits (p. 9 or 10, 99 or 100) given the
    other count: an adjustment elsewhere that moves its target by a page makes it so."""
    from book.layout.body import flipped

    numbers = {"a": "10", "b": "9", "c": "12", "d": "99", "e": "100", "f": "1"}
    written = {"a": "00", "b": "0", "c": "00", "d": "00", "e": "000", "f": "0", "g": "00"}
    assert flipped(written, numbers) == {"a": "0", "b": "00", "c": "00", "d": "000", "e": "00", "f": "0", "g": "00"}
    assert flipped({"a": "0"}, numbers) == {"a": "0"}  # laid out with a number found since: not a guess
