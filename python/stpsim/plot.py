"""Charts from Python, drawn as the command line draws them (matplotlib,
the optional extra: `pip install "./python[plot]"` from the repository).

    >>> import stpsim, stpsim.plot
    >>> res = stpsim.run(["baseline", "history"], replicates=200)
    >>> ax = stpsim.plot.fan(res.summary, "self_priority_share")
    >>> ax.figure.savefig("fan.png")

`fan` is the honest fan of `stpsim run`'s fan charts: for each scenario the
median line with its 50% band (25th to 75th percentile) and 90% band (5th to
95th), the y axis in the metric's unit (shares in per cent, money in £m),
and a source line saying what the bands cover.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["fan", "fan_numbers"]

# The palette of the command line's charts (Okabe and Ito's, colour-blind safe).
_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

#: The quantiles a fan draws: band edges and the median.
QUANTILES = ("p05", "p25", "p50", "p75", "p95")


def _summary(df) -> pd.DataFrame:
    """The summary table: `df` itself, or a run's `summary` attribute."""
    if isinstance(df, pd.DataFrame) and "p50" in df.columns:
        return df
    s = getattr(df, "summary", None)
    if isinstance(s, pd.DataFrame) and "p50" in s.columns:
        return s
    raise TypeError("fan draws a summary table (stpsim.run(...).summary, or stpsim.read(folder).summary)")


def _unit(metric: str) -> str:
    from . import metrics

    m = metrics()
    row = m[m["name"].astype(str) == metric]
    if row.empty:
        names = ", ".join(m["name"].astype(str))
        raise ValueError(f"metric = {metric!r}: allowed one of {names}")
    return str(row["unit"].iloc[0])


def fan_numbers(df, metric: str) -> pd.DataFrame:
    """What `fan` plots: for each scenario and quarter (a Period) of `metric`,
    the five quantiles, in the summary's order of scenarios and quarters."""
    s = _summary(df)
    rows = s[s["metric"].astype(str) == metric]
    if rows.empty:
        raise ValueError(f"metric = {metric!r}: the summary has no rows of it")
    out = pd.DataFrame(
        {
            "scenario": rows["scenario"].astype(str).to_numpy(),
            "quarter": [pd.Period(str(q), freq="Q") for q in rows["quarter"]],
        }
    )
    for q in QUANTILES:
        out[q] = rows[q].to_numpy(dtype=float)
    return out


def fan(df, metric: str, ax=None, source: str | None = None, zoom: bool = False):
    """Draws the fan of `metric` from a summary table (a run's `summary`, or
    the run itself) onto `ax` (a new figure's if None) and returns the axes.

    Each scenario: its median as a line, its 50% band darker and 90% band
    lighter, in the command line's colours; quarters along the x axis (each
    at its first day); the y axis in the metric's unit, a share's starting
    at zero as the command line's do (`zoom=True` fits it to the data, as
    `--zoom`). `source` replaces the source line under the chart."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    s = _summary(df)
    unit = _unit(metric)
    numbers = fan_numbers(s, metric)
    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 6), layout="constrained")
        # Room under the axes for the source line.
        fig.get_layout_engine().set(rect=(0, 0.05, 1, 0.95))
    for k, (name, rows) in enumerate(numbers.groupby("scenario", sort=False)):
        colour = _COLOURS[k % len(_COLOURS)]
        x = [q.to_timestamp() for q in rows["quarter"]]
        ax.fill_between(x, rows["p05"], rows["p95"], color=colour, alpha=0.15, linewidth=0, label=f"{name}: 90% band")
        ax.fill_between(x, rows["p25"], rows["p75"], color=colour, alpha=0.30, linewidth=0, label=f"{name}: 50% band")
        ax.plot(x, rows["p50"], color=colour, linewidth=2.2, label=f"{name}: median")
    if unit.startswith("share"):
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_ylabel(f"{unit} (per cent)")
        if not zoom:
            ax.set_ylim(bottom=0)
    elif unit.startswith("GBP m"):
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"\u2212£{-v:,.0f}m" if v < 0 else f"£{v:,.0f}m"))
        ax.set_ylabel(unit.replace("GBP m per year", "£m a year").replace("GBP m per quarter", "£m a quarter"))
    else:
        ax.set_ylabel(unit)
    ax.set_title(metric.replace("_", " ").capitalize())
    ax.grid(axis="y", color="#dddddd")
    ax.legend(frameon=False, fontsize="small", ncols=max(1, numbers["scenario"].nunique()))
    if source is None:
        from . import __version__

        over_posterior = "spread" in s.columns
        source = (
            f"Source: stpsim v{__version__}. Line: median over replicates; bands: 50% and 90% intervals over "
            + (
                "replicates, each with its own posterior draw, so they include parameter uncertainty."
                if over_posterior
                else "replicates: chance within the model at fixed parameters, not uncertainty in its parameters, "
                "structure or data."
            )
        )
    ax.figure.text(0.01, 0.005, source, fontsize="x-small", color="#555555", ha="left", va="bottom", wrap=True)
    return ax
