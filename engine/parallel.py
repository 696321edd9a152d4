"""Where independent tasks run: in this process, on local worker processes or on a Dask cluster.

A backend maps a picklable function over a list of tasks and returns the results **in task
order**, whatever order they finish in, calling ``progress(done, total)`` as they finish. So a
caller whose tasks are deterministic (a seeded replication, a solve) gets the same answer from
every backend: only the speed differs. A task may need earlier tasks' results (``After``): it is
made from them in the caller's process as soon as they are in, and starts while the others run.

* ``SerialBackend``: one task after the other in this process.
* ``ProcessBackend``: a ``concurrent.futures.ProcessPoolExecutor`` on this machine
  (default: one process per core). Called from cancellable work (``engine.cancel``: an app
  job), its workers share the job's cancel flag (a cancel stops their HiGHS runs at the next
  check, and the call raises ``Cancelled``) and end with the process that started them.
* ``DaskBackend``: a ``distributed.Client`` connected to a Dask scheduler (``tcp://host:8786``),
  or a client passed in (e.g. of a ``LocalCluster``). Dask is imported only when this backend
  connects, so programs that never use it start fast. Called from cancellable work, its tasks
  watch a cluster-wide ``distributed.Event`` that a cancel sets: their HiGHS runs stop at the
  next check, as on local processes, and the call raises ``Cancelled``.

``backend_from(workers, scheduler)`` picks one the way the command line does: a scheduler
address (or the ``SOURCING_SCHEDULER`` environment variable) means Dask, else ``workers``
local processes (1 = in this process; default every core).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar, runtime_checkable

from engine import cancel

__all__ = [
    "SCHEDULER_ENV",
    "After",
    "Backend",
    "DaskBackend",
    "ProcessBackend",
    "Progress",
    "SchedulerError",
    "SerialBackend",
    "backend_from",
    "default_workers",
    "local_backend",
]

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]
"""Called as ``progress(tasks_done, tasks_total)``."""

SCHEDULER_ENV = "SOURCING_SCHEDULER"
"""Environment variable naming a Dask scheduler (``tcp://host:port``) when none is given."""


@dataclass(frozen=True)
class After(Generic[T]):
    """A task made from the results of earlier tasks (their positions ``needs``): ``make``
    gets those results, in that order, in the caller's process, once they are all in, and
    returns the task. The backend starts it then, while other tasks run on; since it is made
    from results only, the answers do not depend on when it starts."""

    needs: tuple[int, ...]
    make: Callable[[list[Any]], T]


def _made(item: T | After[T], results: Sequence[Any]) -> T:
    """``item`` itself, or the task an ``After`` makes from ``results``."""
    if not isinstance(item, After):
        return item
    return item.make([results[need] for need in item.needs])


def _check_needs(items: Sequence[T | After[T]]) -> None:
    """An ``After`` may only need earlier tasks (so every task can start)."""
    for position, item in enumerate(items):
        if isinstance(item, After) and any(not 0 <= n < position for n in item.needs):
            raise ValueError(f"task {position} can only need earlier tasks, not {item.needs}")


def _ready(items: Sequence[T | After[T]], started: set[int], finished: set[int]) -> list[int]:
    """Positions of the tasks not yet started whose needs have all finished, in order."""
    return [
        i
        for i, item in enumerate(items)
        if i not in started and (not isinstance(item, After) or finished.issuperset(item.needs))
    ]


def _collect(
    done: Any,
    futures: Mapping[Any, int],
    results: list[Any],
    finished: set[int],
    progress: Progress | None,
) -> None:
    """Record the results of the futures ``done`` (local or Dask) at their tasks' positions,
    in task order, and report each to ``progress``."""
    for future in sorted(done, key=futures.__getitem__):
        results[futures[future]] = future.result()
        finished.add(futures[future])
        if progress is not None:
            progress(len(finished), len(results))


CANCEL_POLL_SECONDS = 0.25
"""How often a backend waiting on its tasks looks whether its work was cancelled, and how often
a Dask task of cancellable work looks whether its cancel event was set."""

PARENT_CHECK_SECONDS = 0.5
"""How often a worker of cancellable work looks whether the process that started it runs."""

CONNECT_TIMEOUT_SECONDS = 10.0
"""How long ``DaskBackend`` tries to reach its scheduler before giving up."""


class SchedulerError(ConnectionError):
    """The Dask scheduler cannot be reached (or Dask is not installed); the message says what
    to check."""


@runtime_checkable
class Backend(Protocol):
    """Runs a function over tasks; results come back in task order."""

    @property
    def description(self) -> str:
        """Where the tasks run, for messages (``"on 4 local processes"``)."""
        ...

    def slots(self) -> int:
        """How many tasks can run at once (to size chunks of work)."""
        ...

    def map_ordered(
        self,
        fn: Callable[..., R],
        items: Sequence[T | After[T]],
        progress: Progress | None = None,
        shared: Mapping[str, Any] | None = None,
    ) -> list[R]:
        """``[fn(item, **shared) for item in items]``, run on the backend.

        Args:
            fn: A picklable (module-level) function.
            items: One task each; picklable. An ``After`` is made from earlier tasks' results
                when they are in, and runs then.
            progress: Called with ``(done, total)`` after each task finishes.
            shared: Keyword arguments every task gets (sent to a cluster once).

        Returns:
            The results in the order of ``items``.
        """
        ...

    def close(self) -> None:
        """Release workers or connections the backend opened (it may be used again)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Close."""
        ...


def default_workers() -> int:
    """Worker processes by default: one per core."""
    return os.cpu_count() or 1


def _run_serially(
    fn: Callable[..., R],
    items: Sequence[T],
    progress: Progress | None,
    shared: Mapping[str, Any] | None,
) -> list[R]:
    _check_needs(items)
    results: list[R] = []
    for done, item in enumerate(items, start=1):
        results.append(fn(_made(item, results), **(shared or {})))
        if progress is not None:
            progress(done, len(items))
    return results


class _ClosingContext:
    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class SerialBackend(_ClosingContext):
    """Every task in this process, one after the other."""

    @property
    def description(self) -> str:
        return "in this process"

    def slots(self) -> int:
        return 1

    def map_ordered(
        self,
        fn: Callable[..., R],
        items: Sequence[T | After[T]],
        progress: Progress | None = None,
        shared: Mapping[str, Any] | None = None,
    ) -> list[R]:
        return _run_serially(fn, items, progress, shared)


@dataclass(frozen=True)
class ProcessBackend(_ClosingContext):
    """Tasks on up to ``workers`` processes of this machine (a pool per call).

    One worker, or one task, runs in this process.
    """

    workers: int = field(default_factory=default_workers)
    start_method: str | None = None  # "spawn" where the caller runs threads (a UI, a solver)

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, not {self.workers}")

    @property
    def description(self) -> str:
        return f"on {self.workers} local process{'es' if self.workers != 1 else ''}"

    def slots(self) -> int:
        return self.workers

    def map_ordered(
        self,
        fn: Callable[..., R],
        items: Sequence[T | After[T]],
        progress: Progress | None = None,
        shared: Mapping[str, Any] | None = None,
    ) -> list[R]:
        processes = min(self.workers, len(items))
        if processes <= 1:
            return _run_serially(fn, items, progress, shared)
        _check_needs(items)
        results: list[Any] = [None] * len(items)
        context = multiprocessing.get_context(self.start_method)
        stop = None
        if cancel.active():  # the workers share the caller's cancel flag
            stop = context.Event()
            pool = ProcessPoolExecutor(
                processes, context, initializer=_cancellable_worker, initargs=(stop,)
            )
        else:
            pool = ProcessPoolExecutor(processes, context)
        with pool:
            futures: dict[Future[R], int] = {}
            started: set[int] = set()
            finished: set[int] = set()
            try:
                while len(finished) < len(items):
                    for i in _ready(items, started, finished):
                        task = _made(items[i], results)
                        futures[pool.submit(fn, task, **(shared or {}))] = i
                        started.add(i)
                    running = {f for f, i in futures.items() if i not in finished}
                    done, _ = wait(
                        running, timeout=CANCEL_POLL_SECONDS, return_when=FIRST_COMPLETED
                    )
                    _collect(done, futures, results, finished, progress)
                    cancel.check()
            except BaseException:
                if stop is not None:  # the running tasks stop at their next check
                    stop.set()
                for future in futures:
                    future.cancel()
                raise
        return results


def _cancellable_worker(stop: cancel.Flag) -> None:
    """A local worker of cancellable work: its tasks stop when ``stop`` is set, and it ends
    when the process that started it ends (a job stopped hard leaves no worker solving on;
    a ``ProcessPoolExecutor`` worker would otherwise wait for its parent forever)."""
    cancel.adopt(stop)
    watch = threading.Thread(
        target=_end_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True
    )
    watch.start()


def _end_with_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)  # orphaned: no one will read what this process does


def _watching_cancel(stop_name: str, fn: Callable[..., R], task: Any, **kwargs: Any) -> R:
    """A Dask task of cancellable work: ``fn(task)`` with a cancel flag of its own, set by a
    watcher thread once the caller sets the cluster's event ``stop_name``."""
    from distributed import Event, get_client

    stop = Event(stop_name, client=get_client())  # the watcher thread cannot find the client
    flag = threading.Event()
    ended = threading.Event()

    def watch() -> None:
        while not ended.wait(CANCEL_POLL_SECONDS):
            if stop.is_set():
                flag.set()
                return

    threading.Thread(target=watch, name="cancel-watch", daemon=True).start()
    try:
        with cancel.cancellable(flag):
            return fn(task, **kwargs)
    finally:
        ended.set()


class DaskBackend(_ClosingContext):
    """Tasks on a Dask cluster.

    Args:
        address: The scheduler, e.g. ``tcp://10.0.0.5:8786``; default ``$SOURCING_SCHEDULER``.
        client: A connected ``distributed.Client`` to use instead (it is not closed here).
        source: Where the address came from, named in the error if it cannot be reached.
        timeout_seconds: How long to try to connect.

    The connection is opened on first use and kept until ``close()`` (or the end of a ``with``
    block). Every worker must have this package installed in the same version.
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        client: Any = None,  # a distributed.Client (untyped), or None
        source: str | None = None,
        timeout_seconds: float | None = None,
    ) -> None:
        if client is None and not address:
            address = os.environ.get(SCHEDULER_ENV, "").strip() or None
            source = source or SCHEDULER_ENV
        if client is None and not address:
            raise ValueError(
                f"no Dask scheduler given: pass --scheduler tcp://host:port or set {SCHEDULER_ENV}"
            )
        self._client = client
        self._owns_client = client is None
        self.address: str = address or str(client.scheduler.address)
        self.source = source
        self.timeout_seconds = timeout_seconds

    def __repr__(self) -> str:
        return f"DaskBackend({self.address!r})"

    @property
    def description(self) -> str:
        return f"on the Dask cluster at {self.address}"

    def client(self) -> Any:
        """The ``distributed.Client``, connecting on first use.

        Raises:
            SchedulerError: if the scheduler cannot be reached, saying what to check.
        """
        if self._client is None:
            self._client = _connect(
                self.address,
                self.source,
                CONNECT_TIMEOUT_SECONDS if self.timeout_seconds is None else self.timeout_seconds,
            )
        return self._client

    def slots(self) -> int:
        return max(1, sum(self.client().nthreads().values()))

    def map_ordered(
        self,
        fn: Callable[..., R],
        items: Sequence[T | After[T]],
        progress: Progress | None = None,
        shared: Mapping[str, Any] | None = None,
    ) -> list[R]:
        if not items:
            return []
        _check_needs(items)
        from distributed import Event
        from distributed import wait as dask_wait

        client = self.client()
        # each value in a list of one: Dask scatters a list, tuple or dict element by element
        kwargs = {
            name: client.scatter([value], broadcast=True, hash=False)[0]
            for name, value in (shared or {}).items()
        }
        stop = None
        if cancel.active():  # the tasks watch an event of the cluster that a cancel sets
            stop = Event(f"sourcing-cancel-{uuid.uuid4().hex}", client=client)
        futures: dict[Any, int] = {}  # a distributed.Future (untyped) -> its task's position
        results: list[Any] = [None] * len(items)
        started: set[int] = set()
        finished: set[int] = set()

        def submit_ready() -> None:
            for i in _ready(items, started, finished):
                task = _made(items[i], results)
                if stop is None:
                    future = client.submit(fn, task, pure=False, **kwargs)
                else:
                    future = client.submit(
                        _watching_cancel, stop.name, fn, task, pure=False, **kwargs
                    )
                futures[future] = i
                started.add(i)

        try:
            while len(finished) < len(items):
                submit_ready()
                running = [f for f, i in futures.items() if i not in finished]
                try:
                    with client.as_current():  # the client Dask's wait uses
                        done = dask_wait(
                            running, timeout=CANCEL_POLL_SECONDS, return_when="FIRST_COMPLETED"
                        ).done
                except TimeoutError:
                    done = set()
                _collect(done, futures, results, finished, progress)
                cancel.check()
        except BaseException:
            if stop is not None:  # the running tasks stop at their next check
                stop.set()
            raise
        finally:
            client.cancel([f for f in futures if not f.done()])
            client.cancel(list(kwargs.values()))
        return results

    def close(self) -> None:
        if self._client is not None and self._owns_client:
            self._client.close()
            self._client = None


def _connect(address: str, source: str | None, timeout_seconds: float) -> Any:
    origin = f" (from {source})" if source else ""
    try:
        from distributed import Client
    except ImportError as error:
        raise SchedulerError(
            f"running on the Dask scheduler {address}{origin} needs the distributed package: "
            "pip install 'dask[distributed]'"
        ) from error
    try:
        return Client(address, timeout=timeout_seconds, set_as_default=False)
    except Exception as error:  # distributed raises OSError, TimeoutError or ValueError
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SchedulerError(
            f"cannot reach the Dask scheduler at {address}{origin}: {reason}. Check that "
            "`dask scheduler` is running on that host, that the address and port are right "
            "(e.g. tcp://10.0.0.5:8786) and that this machine can reach that port (firewall, "
            "VPN)."
        ) from error


def local_backend(workers: int) -> Backend:
    """``workers`` local processes started fresh ("spawn": the caller may be running threads,
    the app, a solver), or this process for one."""
    return ProcessBackend(workers, start_method="spawn") if workers > 1 else SerialBackend()


def backend_from(
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    client: Any | None = None,
) -> Backend:
    """The backend the command line's options ask for.

    Args:
        workers: Local worker processes; None = one per core, 1 = in this process. Ignored
            when tasks go to a Dask cluster.
        scheduler: A Dask scheduler address (``tcp://host:port``); default the
            ``SOURCING_SCHEDULER`` environment variable; neither = this machine.
        client: A connected ``distributed.Client`` (e.g. of a ``LocalCluster``) to use.

    Raises:
        ValueError: if ``workers`` is below 1.
    """
    if client is not None:
        return DaskBackend(client=client)
    if scheduler:
        return DaskBackend(scheduler.strip(), source="--scheduler")
    from_env = os.environ.get(SCHEDULER_ENV, "").strip()
    if from_env:
        return DaskBackend(from_env, source=SCHEDULER_ENV)
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    count = default_workers() if workers is None else workers
    return SerialBackend() if count == 1 else ProcessBackend(count)
