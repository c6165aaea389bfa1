"""The library's declarations as data frames, matching the command line."""

import stpsim


def test_scenarios_lists_the_library_as_stpsim_scenarios_does(cli):
    df = stpsim.scenarios()
    printed = cli("scenarios").stdout
    assert list(df["name"])[:2] == ["baseline", "history"]
    for file, question in zip(df["file"], df["question"]):
        stem = file.removeprefix("scenarios/").removesuffix(".toml")
        assert f"{stem:<28} {question}" in printed
    assert (df.loc[df["name"] == "history", "levers"] > 0).all()


def test_params_is_the_dictionary(cli):
    df = stpsim.params()
    printed = cli("params").stdout
    assert len(df) == sum(1 for line in printed.splitlines() if line.startswith("  ") and not line.startswith("  name"))
    beta0 = df.set_index("name").loc["beta0"]
    assert beta0["min"] <= beta0["default"] <= beta0["max"]
    assert stpsim.Scenario.load("baseline").params["beta0"] == beta0["default"]


def test_levers_is_the_lever_table(cli):
    df = stpsim.levers()
    printed = cli("levers").stdout
    kinds = [line.split()[0] for line in printed.splitlines() if line and not line.startswith(" ")]
    assert list(dict.fromkeys(df["kind"])) == kinds
    fields = [line.split()[0] for line in printed.splitlines() if line.startswith("    ")]
    assert list(df["field"].dropna()) == fields
    authority = df[(df["kind"] == "strengthen_leads") & (df["field"] == "authority")].iloc[0]
    assert (authority["min"], authority["max"], authority["acts"]) == (0.0, 1.0, "footprints")
    assert df.loc[df["kind"] == "remove_veto", "field"].isna().all()


def test_metrics_are_the_timeseries_metrics():
    res = stpsim.run("baseline", replicates=1)
    assert list(stpsim.metrics()["name"]) == list(dict.fromkeys(res["metric"]))
