"""Python results equal the command line's, row for row and byte for byte."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import stpsim
from stpsim._frames import read_csv


def same_frame(py: pd.DataFrame, cli: pd.DataFrame):
    """Same columns, same text, and every number bit for bit."""
    assert list(py.columns) == list(cli.columns)
    assert len(py) == len(cli)
    for c in py.columns:
        a, b = py[c].to_numpy(), cli[c].to_numpy()
        if a.dtype.kind == "f":
            assert np.array_equal(a.view("u8"), b.astype("f8").view("u8")), f"column {c} differs"
        else:
            assert [str(x) for x in a] == [str(x) for x in b], f"column {c} differs"


@pytest.fixture(scope="module")
def both(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli")
    cli("run", "baseline", "history", "--replicates", 6, "--seed", 7, "--threads", 2,
        "--per-footprint", "--footprint-replicates", 2, "--quiet", "--no-charts", "--out", out)
    res = stpsim.run(["baseline", "history"], replicates=6, seed=7, threads=2, per_footprint=2)
    return out, res


def test_timeseries_rows_equal_the_command_line(both):
    out, res = both
    assert res.shape == (2 * 6 * 21 * len(stpsim.metrics()), 5)
    same_frame(res, read_csv(out / "timeseries.csv"))


def test_summary_and_footprints_equal_the_command_line(both):
    out, res = both
    same_frame(res.summary, read_csv(out / "summary.csv"))
    same_frame(res.footprints, read_csv(out / "footprints.csv"))
    same_frame(res.differences, read_csv(out / "differences.csv"))
    assert set(res.footprints["replicate"]) == {0, 1}


def test_written_files_are_byte_identical(both, tmp_path):
    out, res = both
    files = res.write(tmp_path)
    # Over the built-in England posterior (the default): its draws, the variance split and the workbook too.
    assert sorted(files) == sorted(["timeseries.csv", "summary.csv", "differences.csv", "footprints.csv", "manifest.json",
                                    "posterior_draws.csv", "variance_split.csv", "tables.xlsx"])
    for f in files:
        if f != "manifest.json":  # it records when and how each was made
            assert (tmp_path / f).read_bytes() == (out / f).read_bytes(), f
    cli_manifest, py_manifest = (json.loads((d / "manifest.json").read_text()) for d in (out, tmp_path))
    for key in ("seed", "replicates", "footprint_replicates", "files", "scenarios"):
        assert py_manifest[key] == cli_manifest[key], key


def test_charts_and_report_are_drawn_from_the_written_files(both, tmp_path):
    _, res = both
    res.write(tmp_path, charts=True)
    assert (tmp_path / "report.html").stat().st_size > 0
    assert list(tmp_path.glob("fan_*.png"))


def test_differences_are_paired_from_the_first_scenario(both):
    _, res = both
    d = res.differences
    assert set(d["scenario"]) == {"history"}
    ts = res.set_index(["scenario", "replicate", "quarter", "metric"])["value"]
    q, m = "2021Q1", "self_priority_share"
    paired = ts.loc["history", :, q, m].to_numpy() - ts.loc["baseline", :, q, m].to_numpy()
    row = d[(d["quarter"] == q) & (d["metric"] == m)].iloc[0]
    assert row["mean"] == pytest.approx(paired.mean(), abs=1e-12)
    assert row["median"] == pytest.approx(np.median(paired), abs=1e-12)


def test_results_do_not_depend_on_threads():
    a = stpsim.run("history", replicates=3, seed=11, threads=1)
    b = stpsim.run("history", replicates=3, seed=11, threads=2)
    same_frame(a, b)


def test_a_scenario_built_from_dicts_runs_as_its_file_does(cli, tmp_path):
    text = (
        'name = "leads-early"\nextends = "baseline"\nend = "2018Q1"\n\n[params]\nbeta0 = -0.4\n\n'
        '[[levers]]\nkind = "strengthen_leads"\nstart = "2016Q3"\nauthority = 0.8\n'
    )
    path = tmp_path / "leads-early.toml"
    path.write_text(text)
    cli("run", path, "--replicates", 4, "--seed", 3, "--quiet", "--no-charts", "--out", tmp_path / "out")
    built = stpsim.Scenario.new(
        "leads-early", extends="baseline", end="2018Q1", params={"beta0": -0.4},
        levers=[{"kind": "strengthen_leads", "start": "2016Q3", "authority": 0.8}],
    )
    assert built.changed_params == {"beta0": -0.4}
    resolved = lambda s: {k: v for k, v in s.to_dict().items() if k != "source"}
    assert resolved(built) == resolved(stpsim.Scenario.from_toml(text))
    for s in (built, stpsim.Scenario.from_toml(text), stpsim.Scenario.load(path), str(path)):
        res = stpsim.run([s], replicates=4, seed=3)
        same_frame(res, read_csv(tmp_path / "out" / "timeseries.csv"))


def test_sweep_writes_what_the_command_line_writes(cli, tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'base = "history"\nreplicates = 3\nseed = 5\ndesign = "grid"\n'
        'metrics = ["social_care_priority@2017Q4", "council_engagement@2017Q4"]\n\n'
        '[[factors]]\nname = "lever.include_local_government.council_seats"\nvalues = [0.1, 0.3]\n\n'
        '[[factors]]\nname = "beta0"\nvalues = [-0.6, -0.2]\n'
    )
    cli("sweep", plan, "--quiet", "--out", tmp_path / "cli")
    res = stpsim.sweep(plan, out=tmp_path / "py")
    for f in ("sweep.csv", "sweep_summary.csv"):
        assert (tmp_path / "py" / f).read_bytes() == (tmp_path / "cli" / f).read_bytes(), f
    same_frame(res, read_csv(tmp_path / "cli" / "sweep.csv"))
    same_frame(res.summary, read_csv(tmp_path / "cli" / "sweep_summary.csv"))
    assert res.factors == ["lever.include_local_government.council_seats", "beta0"]
    assert res.sensitivity is None
    # Without `out`, the files live in a temporary folder and the frames stay.
    again = stpsim.sweep(plan)
    same_frame(again, res)
    assert again.out is None


def test_a_sweep_chooses_its_posterior_as_the_command_line_does(cli, tmp_path):
    plan = tmp_path / "plan.toml"
    plan.write_text(
        'base = "baseline"\nreplicates = 3\nseed = 5\ndesign = "grid"\n'
        'metrics = ["self_priority_share@2016Q4"]\n\n[[factors]]\nname = "b_deficit"\nvalues = [0.3, 1.7]\n'
    )
    cli("sweep", plan, "--quiet", "--posterior", "none", "--out", tmp_path / "cli")
    res = stpsim.sweep(plan, out=tmp_path / "py", posterior="none")
    assert (tmp_path / "py" / "sweep.csv").read_bytes() == (tmp_path / "cli" / "sweep.csv").read_bytes()
    # By default over the England posterior, as `stpsim sweep`: other numbers.
    cli("sweep", plan, "--quiet", "--out", tmp_path / "cli-england")
    over = stpsim.sweep(plan)
    same_frame(over, read_csv(tmp_path / "cli-england" / "sweep.csv"))
    assert not over["value"].equals(res["value"])


def test_sensitivity_returns_the_indices_the_command_line_writes(cli, tmp_path):
    plan = tmp_path / "sobol.toml"
    plan.write_text(
        'base = "baseline"\nreplicates = 2\nseed = 5\ndesign = "sobol"\npoints = 4\nbootstrap = 20\n'
        'metrics = ["collaboration_rate@2016Q3"]\n\n'
        '[[factors]]\nname = "beta0"\nmin = -1.0\nmax = 0.0\n\n'
        '[[factors]]\nname = "b_trust"\nmin = 0.0\nmax = 1.0\n'
    )
    cli("sensitivity", plan, "--quiet", "--out", tmp_path / "cli")
    idx = stpsim.sensitivity(plan)
    same_frame(idx, read_csv(tmp_path / "cli" / "sensitivity.csv"))
    same_frame(idx.sweep, read_csv(tmp_path / "cli" / "sweep.csv"))
    with pytest.raises(ValueError, match="needs design"):
        grid = tmp_path / "grid.toml"
        grid.write_text(plan.read_text().replace('"sobol"', '"grid"').replace("min = -1.0\nmax = 0.0", "values = [0]").replace("min = 0.0\nmax = 1.0", "values = [1]"))
        stpsim.sensitivity(grid)


def test_runs_over_a_posterior_equal_the_command_line(cli, tmp_path):
    posterior = Path(__file__).resolve().parents[2] / "data" / "posterior-england.csv"
    cli("run", "baseline", "history", "--replicates", 4, "--seed", 3, "--threads", 2, "--posterior", posterior,
        "--quiet", "--no-charts", "--out", tmp_path)
    res = stpsim.run(["baseline", "history"], replicates=4, seed=3, threads=2, posterior=posterior)
    same_frame(res, read_csv(tmp_path / "timeseries.csv"))
    same_frame(res.summary, read_csv(tmp_path / "summary.csv"))
    assert set(res.summary["spread"]) == {"parameter uncertainty and chance"}
    plain = stpsim.run(["baseline", "history"], replicates=4, seed=3, threads=2, posterior="none")
    assert "spread" not in plain.summary.columns
    assert not res["value"].equals(plain["value"]), "the posterior's draws change the results"
    with pytest.raises(ValueError, match="posterior"):
        stpsim.run("baseline", replicates=2, posterior=tmp_path / "missing.csv")


def test_a_saved_scenario_gives_the_same_bytes_from_every_front(cli, tmp_path):
    """A file saved from the explorer carries replicates and seed: the
    command line and Python both take them (no flag, no keyword), write
    byte-identical timeseries.csv, and a keyword overrides them as a flag does."""
    saved = tmp_path / "saved.toml"
    saved.write_text('name = "saved"\nextends = "history"\nreplicates = 3\nseed = 11\n')
    cli("run", saved, "--quiet", "--no-charts", "--out", tmp_path / "cli")
    res = stpsim.run(saved)
    assert (res.replicates, res.seed) == (3, 11)
    res.write(tmp_path / "py")
    assert (tmp_path / "py" / "timeseries.csv").read_bytes() == (tmp_path / "cli" / "timeseries.csv").read_bytes()
    assert (tmp_path / "py" / "summary.csv").read_bytes() == (tmp_path / "cli" / "summary.csv").read_bytes()
    cli("run", saved, "--replicates", 2, "--seed", 5, "--quiet", "--no-charts", "--out", tmp_path / "cli2")
    over = stpsim.run(saved, replicates=2, seed=5)
    assert (over.replicates, over.seed) == (2, 5)
    over.write(tmp_path / "py2")
    assert (tmp_path / "py2" / "timeseries.csv").read_bytes() == (tmp_path / "cli2" / "timeseries.csv").read_bytes()


def test_calibrate_resumes_from_its_checkpoint_as_the_command_line_does(cli, tmp_path):
    """Python's calibrate is the command line's request: the same posterior
    for the same settings, and resume goes on from the folder's checkpoint."""
    targets = Path(__file__).resolve().parents[2] / "data" / "targets.toml"
    args = dict(targets=targets, particles=20, replicates=1, final_tolerance=1e9, seed=3, threads=1)
    cli("calibrate", "--targets", targets, "--particles", 20, "--replicates", 1, "--final-tolerance", 1e9,
        "--seed", 3, "--threads", 1, "--quiet", "--out", tmp_path / "cli")
    fit = stpsim.calibrate(tmp_path / "py", **args)
    assert "posterior.csv" in fit.files and (tmp_path / "py" / "checkpoint.json").exists()
    assert (tmp_path / "py" / "posterior.csv").read_text().replace(str(tmp_path / "py"), "") == (
        tmp_path / "cli" / "posterior.csv").read_text().replace(str(tmp_path / "cli"), "")
    again = stpsim.calibrate(tmp_path / "py", resume=True, **args)
    assert again.equals(fit), "a finished calibration resumed gives the same posterior"
    with pytest.raises(ValueError, match="--resume"):
        stpsim.calibrate(tmp_path / "py", resume=True, **{**args, "particles": 30})
