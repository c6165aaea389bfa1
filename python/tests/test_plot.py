"""stpsim.plot.fan: the command line's honest fan from a summary, drawn with
matplotlib (the `plot` extra); skipped where matplotlib is absent."""

import numpy as np
import pandas as pd
import pytest

import stpsim

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


@pytest.fixture(scope="module")
def summary():
    return stpsim.run(["baseline", "history"], replicates=6, seed=5, posterior="none").summary


def _bands(ax):
    """Each filled band's y values, as drawn."""
    return [c.get_paths()[0].vertices[:, 1] for c in ax.collections]


def test_the_fan_draws_the_summarys_median_and_bands_to_a_file(summary, tmp_path):
    metric = "social_care_priority"
    ax = stpsim.plot.fan(summary, metric)
    out = tmp_path / "fan.png"
    ax.figure.savefig(out, dpi=60)
    assert out.stat().st_size > 5000
    want = summary[summary["metric"].astype(str) == metric]
    scenarios = list(dict.fromkeys(want["scenario"].astype(str)))
    assert scenarios == ["baseline", "history"]
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == [f"{s}: median" for s in scenarios]
    bands = _bands(ax)
    assert len(bands) == 2 * len(scenarios), "a 90% and a 50% band per scenario"
    for k, s in enumerate(scenarios):
        rows = want[want["scenario"].astype(str) == s]
        # The median line is the summary's p50, quarter by quarter, each at its first day.
        np.testing.assert_array_equal(lines[k].get_ydata(), rows["p50"].to_numpy())
        days = [pd.Period(str(q), freq="Q").to_timestamp() for q in rows["quarter"]]
        assert list(lines[k].get_xdata()) == days
        # The bands' edges are exactly the summary's quantiles.
        for band, (lo, hi) in zip(bands[2 * k : 2 * k + 2], [("p05", "p95"), ("p25", "p75")]):
            edges = set(rows[lo]) | set(rows[hi])
            assert set(band) == edges, (s, lo, hi)
    # Shares read in per cent; the source line says what the bands cover.
    tick = ax.yaxis.get_major_formatter()(0.25, 0)
    assert tick.startswith("25") and tick.endswith("%"), tick
    assert ax.get_ylim()[0] == 0, "a share's axis starts at zero, as the command line's"
    texts = " ".join(t.get_text() for t in ax.figure.texts)
    assert "Source: stpsim" in texts and "not uncertainty in its parameters" in texts


def test_fan_numbers_are_the_summarys_quantiles_and_a_bad_metric_says_what_is_allowed(summary):
    n = stpsim.plot.fan_numbers(summary, "transformation_index")
    rows = summary[summary["metric"].astype(str) == "transformation_index"]
    for q in ("p05", "p25", "p50", "p75", "p95"):
        np.testing.assert_array_equal(n[q].to_numpy(), rows[q].to_numpy())
    with pytest.raises(ValueError, match="transformation_index"):
        stpsim.plot.fan(summary, "transformation_indx")
