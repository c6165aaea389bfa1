"""A run's (or sweep's) output folder read back as data frames.

Each table is read from its Parquet file where the run wrote one
(`--parquet`), from its CSV otherwise; the values are the same either way.
Text keys (scenario, metric, footprint) come back as categoricals, in the
order the file first lists them, and the quarter as a pandas Period.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Union

import pandas as pd

#: The tables a folder may hold, by name (the file's stem).
TABLES = (
    "timeseries",
    "summary",
    "differences",
    "footprints",
    "posterior_draws",
    "variance_split",
    "sweep",
    "sweep_summary",
    "sensitivity",
    "decide",
)

#: Columns read as categoricals.
CATEGORICAL = ("scenario", "metric", "footprint", "spread")


class Tables(dict):
    """A folder's tables by name (`tables["summary"]` or `tables.summary`),
    with `charts`: each chart's numbers (`data/<chart>.csv`) by chart name."""

    charts: dict

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"this folder has no {name} table; it has {', '.join(self) or 'none'}") from None


def quarters(column: pd.Series) -> pd.Series:
    """Quarter labels ("2016Q1") as a Period column, parsed once per label."""
    cat = column.astype("category")
    periods = pd.PeriodIndex([pd.Period(str(q), freq="Q") for q in cat.cat.categories], freq="Q")
    return pd.Series(periods.take(cat.cat.codes.to_numpy()), index=column.index, name=column.name)


def tidy(df: pd.DataFrame) -> pd.DataFrame:
    """Categorical keys and Period quarters, in place of text."""
    for c in CATEGORICAL:
        if c in df.columns:
            df[c] = pd.Categorical(df[c].astype(str), categories=list(dict.fromkeys(df[c].astype(str))))
    if "quarter" in df.columns:
        df["quarter"] = quarters(df["quarter"])
    # A Parquet file carries the quarter's first day too; the CSV does not.
    return df.drop(columns=[c for c in ("quarter_start",) if c in df.columns])


def _read_one(folder: Path, name: str):
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.is_file():
        return pd.read_parquet(parquet)
    if csv.is_file():
        from ._frames import read_csv

        return read_csv(csv)
    return None


def read(folder: Union[str, os.PathLike]) -> Tables:
    """Every table in a run's or sweep's output folder as data frames, by
    name (timeseries, summary, differences, footprints, ...), with `charts`:
    the numbers behind each chart (data/<chart>.csv), by chart name.

    >>> t = stpsim.read("outputs/default")
    >>> t.summary.query("metric == 'transformation_index'")
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder; `stpsim run ... --out {folder}` makes one")
    out = Tables()
    for name in TABLES:
        df = _read_one(folder, name)
        if df is not None:
            out[name] = tidy(df)
    if not out:
        raise FileNotFoundError(f"{folder} holds none of stpsim's tables ({', '.join(f'{t}.csv' for t in TABLES)})")
    out.charts = {}
    data = folder / "data"
    if data.is_dir() and not data.is_symlink():
        from ._frames import read_csv

        for f in sorted(data.glob("*.csv")):
            df = read_csv(f)
            if "quarter" in df.columns:
                df["quarter"] = quarters(df["quarter"])
            out.charts[f.stem] = df
    return out


def to_parquet(df: pd.DataFrame, path: Union[str, os.PathLike]) -> None:
    """Writes a tidy table to Parquet through pandas (pyarrow), with the
    column names `stpsim run --parquet` writes: scenario, metric and quarter
    dictionary-encoded text, quarter_start (the quarter's first day) a date32,
    the value float64. Types are pandas': replicate is int64 (the command
    line's is int32) and quarter dictionary-encoded (plain text there)."""
    t = df.copy()
    for c in CATEGORICAL:
        if c in t.columns:
            t[c] = t[c].astype(str).astype("category")
    if "quarter" in t.columns:
        q = t["quarter"]
        periods = q if isinstance(q.dtype, pd.PeriodDtype) else quarters(q.astype(str))
        t["quarter"] = periods.astype(str).astype("category")
        t["quarter_start"] = periods.dt.start_time.dt.normalize().astype("datetime64[s]").dt.date
    t.to_parquet(path, index=False, row_group_size=1 << 20)
