"""SALib driving stpsim: Sobol sensitivity indices of early-2017 outcomes to
three parameters, through a plain function of parameters.

SALib samples parameter sets; `model` turns each row into a scenario (the
baseline with those parameters) and runs them all in one `stpsim.run`, so
every row shares random numbers replicate by replicate (common random
numbers: the indices measure the parameters, not the noise). Run it as a
script for the table; python/tests/test_salib.py runs it small.

    python python/examples/salib_sobol.py [N]
"""

from __future__ import annotations

import sys

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

import stpsim

PROBLEM = {
    "num_vars": 3,
    # Baseline propensity to collaborate, the chance an organisation starts
    # unsure of accountability, and the weight on peers' collaboration.
    "names": ["beta0", "p_unsure0", "b_peer"],
    "bounds": [[0.0, 1.0], [0.5, 0.9], [0.0, 2.0]],
}


def model(X: np.ndarray, metric: str, quarter: str = "2016Q4", replicates: int = 4, seed: int = 2016,
          base: str = "baseline", threads: int | None = None) -> np.ndarray:
    """The mean over replicates of `metric` at `quarter`, one value per row
    of `X` (columns in the order of PROBLEM["names"])."""
    names = PROBLEM["names"]
    scenarios = [
        stpsim.Scenario.new(f"point-{i}", extends=base, end=quarter,
                            params={n: float(v) for n, v in zip(names, row)})
        for i, row in enumerate(np.atleast_2d(X))
    ]
    res = stpsim.run(scenarios, replicates=replicates, seed=seed, threads=threads)
    at = res[(res["quarter"] == quarter) & (res["metric"] == metric)]
    means = at.groupby("scenario", sort=False)["value"].mean()
    return means.loc[[s.name for s in scenarios]].to_numpy()


def indices(metric: str, n: int = 64, replicates: int = 4, seed: int = 2016):
    """First-order and total Sobol indices of `metric` (Saltelli sampling,
    n base points, n * (k + 2) model runs)."""
    X = sobol_sample.sample(PROBLEM, n, calc_second_order=False, seed=seed)
    Y = model(X, metric, replicates=replicates, seed=seed)
    return sobol_analyze.analyze(PROBLEM, Y, calc_second_order=False, seed=seed)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 256
    for metric in ("self_priority_share", "unsure_share", "collaboration_rate"):
        si = indices(metric, n=n)
        print(f"\n{metric} at 2016Q4 ({n} base points)")
        print(si.to_df()[0].round(3).to_string())
