"""The interpreter is released while the core simulates."""

import threading
import time

import stpsim
from stpsim import _core


def test_other_python_threads_run_during_a_simulation():
    scenario = stpsim.Scenario.load("baseline")
    span = {}

    def simulate():
        span["start"] = time.perf_counter()
        _core.run([scenario], 40, 1, 1, 0)
        span["end"] = time.perf_counter()

    worker = threading.Thread(target=simulate)
    ticks = []
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    # Were the interpreter held, this thread could not have run between the
    # call's start and end at all.
    inside = [t for t in ticks if span["start"] < t < span["end"]]
    assert len(inside) >= 5, f"{len(inside)} ticks during a {span['end'] - span['start']:.2f}s simulation"
