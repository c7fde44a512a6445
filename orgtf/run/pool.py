"""A bounded thread pool for per-account work that Ctrl-C stops cleanly.

The main thread waits in short steps so KeyboardInterrupt (Ctrl-C, or SIGTERM turned into it
by the CLI) reaches it; then every running Terraform gets one signal through the supervisor,
which lets it write its state and release its lock, and the run ends with Interrupted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from orgtf.errors import Interrupted
from orgtf.process import Supervisor

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 - the item type, as in Callable[[I], T]


class RunInterrupted(Interrupted):
    """Ctrl-C, SIGTERM or SIGHUP stopped a fan-out; ``unfinished`` names what did not finish."""

    def __init__(self, unfinished: Sequence[str]) -> None:
        self.unfinished = tuple(unfinished)
        super().__init__(
            "interrupted; Terraform was stopped cleanly (state written, locks released); "
            f"not finished: {', '.join(self.unfinished) or 'none'}; run the command again: "
            "it converges"
        )


def run_pool(
    items: Sequence[I],
    work: Callable[[I], T],
    parallelism: int,
    supervisor: Supervisor,
    label: Callable[[I], str],
) -> list[T]:
    """``work`` over ``items`` with at most ``parallelism`` at once; results in input order.

    ``label`` names an item in the Interrupted error, which lists those left unfinished.
    """
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=parallelism) as pool:
        futures = [pool.submit(work, item) for item in items]
        try:
            _wait_all(futures)
        except KeyboardInterrupt:
            supervisor.interrupt()
            for future in futures:
                future.cancel()
            supervisor.wait_idle()
            unfinished = [
                label(item)
                for item, future in zip(items, futures, strict=True)
                if future.cancelled() or future.exception() is not None
            ]
            raise RunInterrupted(unfinished) from None
        return [future.result() for future in futures]


def _wait_all(futures: Sequence[Future[T]]) -> None:
    pending = set(futures)
    while pending:
        _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
