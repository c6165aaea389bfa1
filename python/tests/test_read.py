"""A run's folder read back: stpsim.read gives its tables as data frames
(categorical keys, quarters as periods) equal to the CSV files; tables.xlsx
holds the same numbers as summary.csv and each chart's data/<chart>.csv;
to_parquet writes the typed columns and read prefers them."""

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

import stpsim
from stpsim._frames import read_csv

# On a chart's sheet of tables.xlsx, the header row (1-based): title, units,
# source, caveat and the chart's file names sit above it.
HEADER_ROW = 7


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, cli):
    out = tmp_path_factory.mktemp("read") / "run"
    cli("run", "baseline", "history", "--replicates", "4", "--seed", "9", "--quiet", "--out", out)
    return out


def test_read_gives_every_table_with_categorical_keys_and_period_quarters(run_folder):
    t = stpsim.read(run_folder)
    assert {"timeseries", "summary", "differences"} <= set(t)
    s = t.summary
    assert isinstance(s["scenario"].dtype, pd.CategoricalDtype)
    assert list(s["scenario"].cat.categories) == ["baseline", "history"]
    assert isinstance(s["metric"].dtype, pd.CategoricalDtype)
    assert isinstance(s["quarter"].dtype, pd.PeriodDtype)
    assert s["quarter"].iloc[0] == pd.Period("2016Q1", freq="Q")
    raw = read_csv(run_folder / "summary.csv")
    assert len(s) == len(raw)
    assert list(s["quarter"].astype(str)) == list(raw["quarter"])
    np.testing.assert_array_equal(s["p50"].to_numpy(), raw["p50"].to_numpy())
    assert len(t.timeseries) == 2 * 4 * 21 * len(stpsim.metrics())
    # Each chart's numbers, by chart name.
    fan = t.charts["fan_transformation_index"]
    assert list(fan.columns[:3]) == ["quarter", "baseline p05", "baseline p25"]
    with pytest.raises(AttributeError, match="no sweep table"):
        t.sweep


def test_the_workbook_holds_summary_csv_and_every_charts_csv(run_folder):
    wb = openpyxl.load_workbook(run_folder / "tables.xlsx", read_only=True)
    assert wb.sheetnames[0] == "Contents"
    rows = list(wb["summary"].iter_rows(values_only=True))
    raw = read_csv(run_folder / "summary.csv")
    assert list(rows[0]) == list(raw.columns)
    assert len(rows) - 1 == len(raw)
    np.testing.assert_array_equal(np.array([r[7] for r in rows[1:]], dtype=float), raw["p50"].to_numpy())
    # Each chart's sheet, listed on Contents with its CSV, holds that CSV's numbers.
    contents = list(wb["Contents"].iter_rows(values_only=True))
    listed = [(r[0], r[3]) for r in contents if r and r[3] and str(r[3]).startswith("data/")]
    assert len(listed) >= 10
    for sheet, csv in listed:
        want = read_csv(run_folder / csv)
        got = list(wb[sheet].iter_rows(min_row=HEADER_ROW, values_only=True))
        assert list(got[0][: len(want.columns)]) == list(want.columns), sheet
        body = [r[: len(want.columns)] for r in got[1 : 1 + len(want)]]
        assert [str(r[0]) for r in body] == [str(x) for x in want.iloc[:, 0]], sheet
        numbers = np.array([[np.nan if v is None else v for v in r[1:]] for r in body], dtype=float)
        np.testing.assert_array_equal(numbers, want.iloc[:, 1:].to_numpy(dtype=float), err_msg=sheet)


def test_to_parquet_writes_typed_columns_and_read_prefers_them(run_folder, tmp_path):
    res = stpsim.run(["baseline", "history"], replicates=4, seed=9)
    copy = tmp_path / "run"
    copy.mkdir()
    for f in ("timeseries.csv", "summary.csv", "manifest.json"):
        (copy / f).write_bytes((run_folder / f).read_bytes())
    res.to_parquet(copy / "timeseries.parquet")
    schema = pq.read_schema(copy / "timeseries.parquet")
    assert str(schema.field("scenario").type).startswith("dictionary")
    assert str(schema.field("metric").type).startswith("dictionary")
    assert str(schema.field("quarter_start").type) == "date32[day]"
    assert str(schema.field("value").type) == "double"
    from_parquet = stpsim.read(copy).timeseries
    from_csv = stpsim.read(run_folder).timeseries
    assert len(from_parquet) == len(from_csv)
    for c in ("scenario", "metric"):
        assert list(from_parquet[c].astype(str)) == list(from_csv[c].astype(str))
    assert (from_parquet["quarter"] == from_csv["quarter"]).all()
    np.testing.assert_array_equal(from_parquet["value"].to_numpy(), from_csv["value"].to_numpy())
    first = pq.read_table(copy / "timeseries.parquet").slice(0, 1).to_pylist()[0]
    assert first["quarter"] == "2016Q1" and str(first["quarter_start"]) == "2016-01-01"
