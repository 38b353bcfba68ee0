"""Tasks for the worker tests (cms/tests/test_task_faults.py): a task that takes its time
and leaves a trace of every run in a folder, so that a test can kill the worker in the middle
and count the runs afterwards."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def probe(folder: str, seconds: float, name: str = "run") -> int:
    """Write ``<folder>/<name>.<pid>.started``, sleep ``seconds`` (only on the first run of
    ``name``: a run after a killed one is quick), write ``.done``; returns how many runs
    started."""
    path = Path(folder)
    earlier = list(path.glob(f"{name}.*.started"))
    (path / f"{name}.{os.getpid()}.{time.monotonic_ns()}.started").touch()
    if not earlier:
        time.sleep(seconds)
    (path / f"{name}.{os.getpid()}.done").touch()
    return len(earlier) + 1
