"""A second process that lays out and draws part of the book at the same time as this one.

WeasyPrint's laid-out Documents cannot be sent between processes, so the helper is forked: it
starts with everything this process has read and laid out so far, keeps the parts it lays out,
and sends back only what can be sent (where ids landed, what was repaired, the drawn PDF piece).
Commands go one way and results come back in order; an exception raised in the helper is raised
again here when its result is received. The helper hands each result to a thread that sends it, and
goes on with the next command: a result bigger than the pipe holds (a drawn piece) would otherwise
keep it waiting until this process is free to read it.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import threading
from collections.abc import Callable


def cores() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Helper:
    """One forked helper process. `start(handler)` forks it; then `send(name, *args)` asks it to
    run handler(name, *args) and `receive()` returns the results in the order asked."""

    def __init__(self, draw: Callable = lambda document, pages: b"", said: Callable[[], list[str]] = lambda: [],
                 quiet: Callable[[], None] = lambda: None, finisher=None, draws_front: bool = False):
        self.draw = draw
        """draw(document, pages) -> the pages as a PDF piece (the output stage's, given by the driver)."""
        self.said = said
        """Returns the list the engine's messages go to (in the helper, its own copy)."""
        self.quiet = quiet
        """Run in the helper first (it must not draw progress on the terminal)."""
        self.messages: list[str] = []
        """What the engine said in the helper."""
        self.process = None
        self.connection = None
        self.pending = 0
        self.order: list[bool] = []
        """Of each command sent whose result is yet to be read, in order: whether it was sent aside
        (`send_aside`: its result is read and dropped)."""
        self.waiting: Callable[[], bool] = lambda: False
        """In the helper: whether a command is waiting to be served (a command that is only worth
        running while this process has nothing else to do checks it)."""
        self.commands: dict[str, Callable] = {}
        """Commands served before the handler's: name -> function of the command's arguments. Set in
        this process before the command is sent; the helper, forked earlier, runs its own copy of
        the function, which sees what the helper has laid out."""
        self.finisher = finisher
        """The print edition's finisher, for the pieces the helper draws."""
        self.draws_front = draws_front
        """Whether the helper lays out and draws the front matter (the driver's choice: only when no
        edition needs its pages in this process)."""

    def start(self, handler: Callable) -> None:
        """Fork the helper; it serves commands with handler until the connection closes."""
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=self._serve, args=(theirs, handler), daemon=True)
        self.process.start()
        theirs.close()

    def _serve(self, connection, handler: Callable) -> None:
        self.connection.close()
        self.quiet()
        self.waiting = connection.poll
        outbox: queue.Queue = queue.Queue()

        def sender() -> None:  # sends what the loop below has pickled, in order, while it goes on
            while (data := outbox.get()) is not None:
                try:
                    connection.send_bytes(data)
                except BaseException:  # the main process has gone, or the pipe broke: it must not wait on
                    connection.close()  # a result that will never come (its receive raises EOFError)
                    return

        thread = threading.Thread(target=sender, daemon=True)
        thread.start()
        try:
            while True:
                try:
                    name, args = connection.recv()
                except EOFError:
                    return
                before = len(self.said())
                try:
                    result = ("ok", self.commands[name](*args) if name in self.commands else handler(name, *args))
                except BaseException as error:  # sent back and raised in the main process
                    result = ("raise", error)
                try:  # pickled here, not in the thread: what is sent is the result as it is now
                    data = pickle.dumps((result, self.said()[before:]), pickle.HIGHEST_PROTOCOL)
                except Exception as error:
                    data = pickle.dumps((("raise", RuntimeError(f"the helper could not send its result: {error}")), []))
                outbox.put(data)
        finally:
            outbox.put(None)
            thread.join()

    def send(self, name: str, *args) -> None:
        """Ask the helper to run a command."""
        self.connection.send((name, args))
        self.pending += 1
        self.order.append(False)

    def send_aside(self, name: str, *args) -> None:
        """Ask the helper to run a command whose result is not wanted: `receive` reads it when it
        comes and drops it, with what the engine said meanwhile (work done in case it is asked for:
        what it says again when it is used is said then), and raises what it raised."""
        self.connection.send((name, args))
        self.order.append(True)

    def ready(self) -> bool:
        """Whether a result of the helper waits to be received (or the helper has gone)."""
        return self.connection is not None and self.connection.poll()

    def receive(self):
        """The result of the oldest command not yet received (raising what the helper raised)."""
        while True:
            aside = self.order.pop(0)
            if not aside:
                break
            (kind, value), _ = self.connection.recv()
            if kind == "raise":
                raise value
        (kind, value), said = self.connection.recv()
        self.pending -= 1
        self.messages += said
        if kind == "raise":
            raise value
        return value

    def close(self) -> None:
        """End the helper."""
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        if self.process is not None:
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.kill()
            self.process = None
