"""stpsim from Python: the simulator's library, returning pandas data frames.

    >>> import stpsim
    >>> res = stpsim.run(["baseline", "history"], replicates=20, seed=7)
    >>> res.shape                       # the tidy table: one row per value
    >>> res.summary, res.differences    # over replicates, and paired

Everything runs in the Rust core, through the same functions as the
command line: `stpsim.run(...)` gives exactly the rows `stpsim run` writes to
timeseries.csv for the same scenarios, seed and replicates.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Iterable, Union

import pandas as pd

from . import _core
from ._core import Scenario, ScenarioError, __version__
from ._frames import frame, read_csv
from ._read import Tables, read

__all__ = [
    "Scenario",
    "ScenarioError",
    "Results",
    "SweepResults",
    "scenarios",
    "params",
    "metrics",
    "levers",
    "run",
    "sweep",
    "sensitivity",
    "decide",
    "Decision",
    "read",
    "Tables",
    "__version__",
]

ScenarioLike = Union[str, os.PathLike, Scenario]


def scenarios() -> pd.DataFrame:
    """The built-in scenario library: name, file, the question each answers,
    description, start, end and number of levers."""
    return frame(_core.scenarios())


def params() -> pd.DataFrame:
    """The parameter dictionary: name, group, default, range, unit, source."""
    return frame(_core.params())


def levers() -> pd.DataFrame:
    """The lever kinds a scenario can use, one row per field (kind, label,
    whether it acts nationally or on footprints, field, form, unit, range,
    default), as `stpsim levers` prints them."""
    return frame(_core.levers())


def metrics() -> pd.DataFrame:
    """The metrics recorded every quarter, with unit and range (as the default
    parameters bound it)."""
    return frame(_core.metrics())


class Results(pd.DataFrame):
    """The tidy timeseries of a run (scenario, replicate, quarter, metric,
    value), with the tables read from it as attributes:

    - `summary`: mean, sd and quantiles over replicates (summary.csv; over
      a posterior, with its `spread` column);
    - `differences`: paired differences from the first scenario;
    - `footprints`: every footprint's metrics when `per_footprint` was asked;
    - `replicates`, `seed`, `threads`: how it was run.

    Operations on it return plain data frames.
    """

    _metadata = ["summary", "differences", "footprints", "replicates", "seed", "threads", "_run"]

    @property
    def _constructor(self):
        return pd.DataFrame

    def write(self, out: Union[str, os.PathLike], charts: bool = False) -> list:
        """Writes the files `stpsim run --out` writes (timeseries.csv,
        summary.csv, differences.csv, footprints.csv when kept,
        manifest.json) into the folder `out` with the library's own writer,
        and with `charts` the charts and report.html too; returns the names
        of the data files."""
        return self._run.write(Path(out), charts)

    def to_parquet(self, path: Union[str, os.PathLike], **_ignored) -> None:
        """Writes the timeseries to Parquet through pandas (pyarrow), with
        the columns `stpsim run --parquet` writes in timeseries.parquet:
        scenario and metric dictionary-encoded, the quarter as text and as
        its first day (`quarter_start`), the value as float64."""
        from ._read import to_parquet

        to_parquet(pd.DataFrame(self), path)


def _scenario(s: ScenarioLike) -> Scenario:
    if isinstance(s, Scenario):
        return s
    if isinstance(s, (str, os.PathLike)):
        return Scenario.load(os.fspath(s))
    raise TypeError(f"a scenario is a built-in name, a file path or a stpsim.Scenario, not {type(s).__name__}")


def run(
    scenarios: Union[ScenarioLike, Iterable[ScenarioLike]],
    replicates: int = 200,
    seed: int = 2016,
    threads: int | None = None,
    per_footprint: Union[bool, int] = False,
    posterior=None,
) -> Results:
    """Runs scenarios together (they share random numbers replicate by
    replicate, so differences between them are paired) and returns the tidy
    timeseries as a data frame with `summary` and `differences` attached.

    `scenarios`: built-in names, scenario file paths or `Scenario` objects.
    `threads`: worker threads (default: all cores); the interpreter is
    released while the core simulates. `per_footprint`: True keeps every
    footprint's metrics for all replicates, a number for the first that many
    (`Results.footprints`). `posterior`: a `posterior.csv` from `stpsim
    calibrate` (such as `data/posterior-england.csv`); replicate r then takes
    a draw by weight, the same in every scenario, as `stpsim run --posterior`.
    """
    if isinstance(scenarios, (str, os.PathLike, Scenario)):
        scenarios = [scenarios]
    loaded = [_scenario(s) for s in scenarios]
    if isinstance(per_footprint, bool):
        keep = replicates if per_footprint else 0
    else:
        keep = int(per_footprint)
        if keep < 0:
            raise ValueError(f"per_footprint = {per_footprint}: allowed True, False or a number of replicates")
    core = _core.run(loaded, int(replicates), int(seed), threads, keep, None if posterior is None else os.fspath(posterior))
    res = frame(core.timeseries(), Results)
    res.summary = frame(core.summary())
    res.differences = frame(core.differences())
    res.footprints = frame(core.footprints()) if keep else None
    res.replicates, res.seed, res.threads = core.replicates, core.seed, core.threads
    res._run = core
    return res


class SweepResults(pd.DataFrame):
    """A sweep's rows (sweep.csv: point, replicate, the factors, metric,
    value) with `summary` (sweep_summary.csv), `sensitivity`
    (sensitivity.csv, for sobol and morris designs, else None), `factors`,
    and `out`, the folder that holds the files (None if it was temporary)."""

    _metadata = ["summary", "sensitivity", "factors", "out"]

    @property
    def _constructor(self):
        return pd.DataFrame


def _sweep(plan, out, threads, resume, charts, sensitivity: bool) -> SweepResults:
    plan = Path(plan)

    def read(folder: Path, factors) -> SweepResults:
        res = SweepResults(read_csv(folder / "sweep.csv"))
        res.summary = read_csv(folder / "sweep_summary.csv")
        s = folder / "sensitivity.csv"
        res.sensitivity = read_csv(s) if s.exists() else None
        res.factors = list(factors)
        res.out = None if out is None else Path(out)
        return res

    if out is not None:
        factors = _core.sweep(plan, Path(out), sensitivity, resume, threads, charts)
        return read(Path(out), factors)
    with tempfile.TemporaryDirectory(prefix="stpsim-sweep-") as tmp:
        factors = _core.sweep(plan, Path(tmp), sensitivity, False, threads, charts)
        return read(Path(tmp), factors)


def sweep(plan, out=None, threads: int | None = None, resume: bool = False, charts: bool = False) -> SweepResults:
    """Runs a sweep plan (a TOML file, as for `stpsim sweep`) and returns its
    rows with `summary` and `sensitivity` attached. With `out`, the files
    `stpsim sweep --out` writes are kept there (and `resume` finishes an
    interrupted sweep in it); `charts` draws the sweep's charts too."""
    return _sweep(plan, out, threads, resume, charts, sensitivity=False)


def sensitivity(plan, out=None, threads: int | None = None, resume: bool = False, charts: bool = False) -> pd.DataFrame:
    """Runs a sobol or morris plan like `stpsim sensitivity` and returns the
    sensitivity indices (sensitivity.csv), with the sweep's rows as
    `.sweep` and its summary as `.summary`."""
    res = _sweep(plan, out, threads, resume, charts, sensitivity=True)
    idx = res.sensitivity
    idx.attrs["plan"] = str(plan)
    out_frame = _Indices(idx)
    out_frame.sweep = pd.DataFrame(res)
    out_frame.summary = res.summary
    return out_frame


class _Indices(pd.DataFrame):
    _metadata = ["sweep", "summary"]

    @property
    def _constructor(self):
        return pd.DataFrame


class Decision(pd.DataFrame):
    """A decision's robustness table (robustness.csv: per option and outcome,
    and per option over all outcomes) with the other tables attached:
    `worlds` (worlds.csv), `values` (decide.csv), `discovery` and `boxes`
    (PRIM), `value_of_information`, `answer` (the report's opening in words)
    and `out` (the folder that holds the files, None if it was temporary)."""

    _metadata = ["worlds", "values", "discovery", "boxes", "value_of_information", "answer", "out"]

    @property
    def _constructor(self):
        return pd.DataFrame


def decide(plan, out=None, seed: int | None = None, replicates: int | None = None,
           threads: int | None = None, resume: bool = False) -> Decision:
    """Runs a decision plan (a TOML file, as for `stpsim decide`) and returns
    its robustness table with every other table attached as data frames.
    With `out`, the files, charts and report.html are kept there (and `resume`
    finishes an interrupted decision in it)."""
    plan = Path(plan)

    def read(folder: Path, answer: str) -> Decision:
        d = Decision(read_csv(folder / "robustness.csv"))
        d.worlds = read_csv(folder / "worlds.csv")
        d.values = read_csv(folder / "decide.csv")
        d.discovery = read_csv(folder / "discovery.csv")
        d.boxes = read_csv(folder / "boxes.csv")
        d.value_of_information = read_csv(folder / "value_of_information.csv")
        d.answer = answer
        d.out = None if out is None else Path(out)
        return d

    if out is not None:
        return read(Path(out), _core.decide(plan, Path(out), seed, replicates, threads, resume))
    with tempfile.TemporaryDirectory(prefix="stpsim-decide-") as tmp:
        return read(Path(tmp), _core.decide(plan, Path(tmp), seed, replicates, threads, False))
