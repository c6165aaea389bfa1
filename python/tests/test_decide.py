"""stpsim.decide: the tables `stpsim decide` writes, as data frames."""

import stpsim

PLAN = """options = ["baseline", "strong-leads", "council-leads"]
worlds = 8
replicates = 1

[[uncertainties]]
name = "turnover"
min = 0.02
max = 0.3
replace = true

[[outcomes]]
metric = "transformation_index@2017Q4"
threshold = 0.01
"""


def test_decide_returns_the_files_of_the_command_line(tmp_path, cli):
    plan = tmp_path / "p.toml"
    plan.write_text(PLAN)
    d = stpsim.decide(plan, out=tmp_path / "py", threads=1)
    cli("decide", str(plan), "--out", str(tmp_path / "cli"), "--quiet")
    for name in ["robustness.csv", "decide.csv", "value_of_information.csv", "boxes.csv"]:
        assert (tmp_path / "py" / name).read_bytes() == (tmp_path / "cli" / name).read_bytes()
    assert set(d["option"]) == {"baseline", "strong-leads", "council-leads"}
    assert len(d.worlds) == 8 and len(d.outcomes) == 8 * 3
    assert d.answer.startswith("Across 8 plausible worlds")
    ref = d[(d["option"] == "baseline") & (d["outcome"] != "all")]
    assert (ref["diff_mean"] == 0).all()
