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
from . import plot  # noqa: E402  (matplotlib is imported only when a chart is drawn)

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
    "calibrate",
    "defaults",
    "decide",
    "Decision",
    "read",
    "Tables",
    "plot",
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
        """Writes the data files `stpsim run --out --no-charts` writes
        (timeseries.csv, summary.csv, differences.csv, footprints.csv when
        kept, posterior_draws.csv and variance_split.csv over a posterior,
        tables.xlsx, manifest.json) into the folder `out` with the library's
        own writer, and with `charts` the charts and report.html too;
        returns the names of the data files."""
        return self._run.write(Path(out), charts)

    def to_parquet(self, path: Union[str, os.PathLike], **_ignored) -> None:
        """Writes the timeseries to Parquet through pandas (pyarrow), with
        the column names `stpsim run --parquet` writes in timeseries.parquet:
        scenario, metric and quarter dictionary-encoded text, the quarter's
        first day (`quarter_start`) a date32, the value float64. Types are
        pandas': replicate is int64 (the command line's is int32)."""
        from ._read import to_parquet

        to_parquet(pd.DataFrame(self), path)


# Footprint rows for every replicate, however many the run resolves to.
_ALL_REPLICATES = 2**32 - 1


def _scenario(s: ScenarioLike) -> Scenario:
    if isinstance(s, Scenario):
        return s
    if isinstance(s, (str, os.PathLike)):
        return Scenario.load(os.fspath(s))
    raise TypeError(f"a scenario is a built-in name, a file path or a stpsim.Scenario, not {type(s).__name__}")


def defaults() -> pd.DataFrame:
    """The one table of defaults every front reads (name, value, meaning):
    what a keyword left at None resolves to when the scenario or plan does
    not set it, as for `stpsim run` and the explorer."""
    return frame(_core.defaults())


def run(
    scenarios: Union[ScenarioLike, Iterable[ScenarioLike]],
    replicates: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    per_footprint: Union[bool, int] = False,
    posterior=None,
    memory_limit: float | None = None,
) -> Results:
    """Runs scenarios together (they share random numbers replicate by
    replicate, so differences between them are paired) and returns the tidy
    timeseries as a data frame with `summary` and `differences` attached.

    `scenarios`: built-in names, scenario file paths or `Scenario` objects.
    `replicates` and `seed`: as given, else the first scenario's (a file
    saved from the explorer carries both), else 200 and 2016
    (`stpsim.defaults()`), exactly as `stpsim run` resolves them.
    `threads`: worker threads (default: all cores); the interpreter is
    released while the core simulates. `per_footprint`: True keeps every
    footprint's metrics for all replicates, a number for the first that many
    (`Results.footprints`). `posterior`: a `posterior.csv` from `stpsim
    calibrate` (such as `data/posterior-england.csv`); replicate r then takes
    a draw by weight, the same in every scenario, as `stpsim run --posterior`.
    `memory_limit`: GiB the run may plan to use, as `--memory-limit`
    (default: STPSIM_MAX_MEMORY_GIB, else 8).
    """
    if isinstance(scenarios, (str, os.PathLike, Scenario)):
        scenarios = [scenarios]
    loaded = [_scenario(s) for s in scenarios]
    if isinstance(per_footprint, bool):
        keep = _ALL_REPLICATES if per_footprint else None
    else:
        keep = int(per_footprint)
        if keep < 0:
            raise ValueError(f"per_footprint = {per_footprint}: allowed True, False or a number of replicates")
        keep = keep or None
    core = _core.run(
        loaded,
        None if replicates is None else int(replicates),
        None if seed is None else int(seed),
        threads,
        keep,
        None if posterior is None else os.fspath(posterior),
        memory_limit,
    )
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


def _sweep(
    plan, out, threads, resume, charts, sensitivity: bool, replicates=None, seed=None, memory_limit=None, posterior=None
) -> SweepResults:
    plan = Path(plan)

    def read(folder: Path, factors) -> SweepResults:
        res = SweepResults(read_csv(folder / "sweep.csv"))
        res.summary = read_csv(folder / "sweep_summary.csv")
        s = folder / "sensitivity.csv"
        res.sensitivity = read_csv(s) if s.exists() else None
        res.factors = list(factors)
        res.out = None if out is None else Path(out)
        return res

    posterior = None if posterior is None else os.fspath(posterior)
    if out is not None:
        factors = _core.sweep(
            plan, Path(out), sensitivity, resume, threads, charts, replicates, seed, memory_limit, posterior
        )
        return read(Path(out), factors)
    with tempfile.TemporaryDirectory(prefix="stpsim-sweep-") as tmp:
        factors = _core.sweep(
            plan, Path(tmp), sensitivity, False, threads, charts, replicates, seed, memory_limit, posterior
        )
        return read(Path(tmp), factors)


def sweep(
    plan,
    out=None,
    threads: int | None = None,
    resume: bool = False,
    charts: bool = False,
    replicates: int | None = None,
    seed: int | None = None,
    memory_limit: float | None = None,
    posterior=None,
) -> SweepResults:
    """Runs a sweep plan (a TOML file, as for `stpsim sweep`) and returns its
    rows with `summary` and `sensitivity` attached. With `out`, the files
    `stpsim sweep --out` writes are kept there (and `resume` finishes an
    interrupted sweep in it); `charts` draws the sweep's charts too;
    `replicates` and `seed` override the plan's, as the flags do.
    `posterior`: as `--posterior` ("england", the default; "none"; or a
    posterior.csv); a factor is held at its value in every replicate."""
    return _sweep(plan, out, threads, resume, charts, False, replicates, seed, memory_limit, posterior)


def sensitivity(
    plan,
    out=None,
    threads: int | None = None,
    resume: bool = False,
    charts: bool = False,
    replicates: int | None = None,
    seed: int | None = None,
    memory_limit: float | None = None,
    posterior=None,
) -> pd.DataFrame:
    """Runs a sobol or morris plan like `stpsim sensitivity` and returns the
    sensitivity indices (sensitivity.csv), with the sweep's rows as
    `.sweep` and its summary as `.summary`. `posterior` as for `sweep`."""
    res = _sweep(plan, out, threads, resume, charts, True, replicates, seed, memory_limit, posterior)
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


class Calibration(pd.DataFrame):
    """A calibration's posterior (posterior.csv: draw, weight, one column per
    parameter) with `fit`, calibration.json as a dict, `files`, the files
    written, and `out`, their folder. With method "bracket" the frame is
    empty and `files` names calibration.toml."""

    _metadata = ["fit", "files", "out"]

    @property
    def _constructor(self):
        return pd.DataFrame


class Decision(pd.DataFrame):
    """A decision's robustness table (robustness.csv: per option and outcome,
    and per option over all outcomes) with the other tables attached:
    `worlds` (worlds.csv), `outcomes` (decide.csv: each option's value per world and outcome), `discovery` and `boxes`
    (PRIM), `value_of_information`, `answer` (the report's opening in words)
    and `out` (the folder that holds the files, None if it was temporary)."""

    _metadata = ["worlds", "outcomes", "discovery", "boxes", "value_of_information", "answer", "out"]

    @property
    def _constructor(self):
        return pd.DataFrame


def calibrate(
    out: Union[str, os.PathLike] = "outputs/calibration",
    targets=None,
    method: str = "abc",
    particles: int | None = None,
    replicates: int | None = None,
    final_tolerance: float | None = None,
    seed: int | None = None,
    resume: bool = False,
    threads: int | None = None,
    scenario: str | None = None,
    target: list | None = None,
    tolerance: float | None = None,
    memory_limit: float | None = None,
) -> Calibration:
    """Calibrates as `stpsim calibrate --out OUT` does, through the same
    library request: ABC-SMC over a targets file (default: the built-in
    England targets) writing posterior.csv, calibration.json, verdicts.txt
    and charts into `out`, a checkpoint after every generation, and with
    `resume` going on from that checkpoint; or with method="bracket" the
    fit of beta0 and p_unsure0 to `target` figures (calibration.toml).
    Keywords left at None take the command line's defaults; one the chosen
    method would ignore (`scenario`, `target`, `tolerance` with "abc";
    `targets`, `particles`, `final_tolerance`, `resume` with "bracket") is
    refused with a ValueError naming the method that takes it."""
    import json

    out = Path(out)
    files = _core.calibrate(
        out,
        method,
        None if targets is None else os.fspath(targets),
        scenario,
        target,
        particles,
        final_tolerance,
        tolerance,
        resume,
        replicates,
        seed,
        threads,
        memory_limit,
    )
    if method == "abc":
        res = Calibration(read_csv(out / "posterior.csv"))
        res.fit = json.loads((out / "calibration.json").read_text())
    else:
        res = Calibration()
        res.fit = None
    res.files, res.out = list(files), out
    return res


def decide(plan, out=None, seed: int | None = None, replicates: int | None = None,
           threads: int | None = None, resume: bool = False, memory_limit: float | None = None) -> Decision:
    """Runs a decision plan (a TOML file, as for `stpsim decide`) and returns
    its robustness table with every other table attached as data frames.
    With `out`, the files, charts and report.html are kept there (and `resume`
    finishes an interrupted decision in it). `memory_limit`: GiB the decision
    may plan to use, as `--memory-limit`."""
    plan = Path(plan)

    def read(folder: Path, answer: str) -> Decision:
        d = Decision(read_csv(folder / "robustness.csv"))
        d.worlds = read_csv(folder / "worlds.csv")
        d.outcomes = read_csv(folder / "decide.csv")
        d.discovery = read_csv(folder / "discovery.csv")
        d.boxes = read_csv(folder / "boxes.csv")
        d.value_of_information = read_csv(folder / "value_of_information.csv")
        d.answer = answer
        d.out = None if out is None else Path(out)
        return d

    if out is not None:
        return read(Path(out), _core.decide(plan, Path(out), seed, replicates, threads, resume, memory_limit))
    with tempfile.TemporaryDirectory(prefix="stpsim-decide-") as tmp:
        return read(Path(tmp), _core.decide(plan, Path(tmp), seed, replicates, threads, False, memory_limit))
