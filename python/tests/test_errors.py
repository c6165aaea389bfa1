"""Bad scenarios raise ScenarioError with the message the command line prints."""

import pytest

import stpsim

BAD = {
    # A lever field out of its range.
    "authority.toml": 'name = "bad-authority"\nextends = "baseline"\n\n[[levers]]\nkind = "strengthen_leads"\n'
    'start = "2017Q2"\nauthority = 1.5\n',
    # A misspelt parameter.
    "param.toml": 'name = "bad-param"\nextends = "baseline"\n\n[params]\nbeta_0 = 0.1\n',
    # A quarter that is no quarter.
    "quarter.toml": 'name = "bad-quarter"\nextends = "history"\nend = "2021Q5"\n',
    # Not TOML at all.
    "syntax.toml": 'name = "bad-syntax\n',
    # A missing parent.
    "extends.toml": 'name = "bad-extends"\nextends = "basline"\n',
}


def cli_message(cli, path):
    p = cli("validate", path, expect=2)
    assert p.stderr.startswith("error: ")
    return p.stderr[len("error: "):].rstrip("\n")


@pytest.mark.parametrize("name", sorted(BAD))
def test_load_and_from_toml_raise_the_command_lines_message(cli, tmp_path, name):
    path = tmp_path / name
    path.write_text(BAD[name])
    expected = cli_message(cli, path)
    with pytest.raises(stpsim.ScenarioError) as loaded:
        stpsim.Scenario.load(path)
    assert str(loaded.value) == expected
    with pytest.raises(stpsim.ScenarioError) as parsed:
        stpsim.Scenario.from_toml(BAD[name], file=str(path))
    assert str(parsed.value) == expected
    assert isinstance(loaded.value, ValueError)


def test_every_mistake_is_listed_in_errors(cli, tmp_path):
    # A structure file with two bad rows: the library reports both at once.
    (tmp_path / "s.csv").write_text("footprint,organisation,kind\nA,x,hospital\nA,y,clinic\n")
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nextends = "baseline"\n\n[structure]\nkind = "file"\npath = "s.csv"\n')
    expected = cli_message(cli, path)
    with pytest.raises(stpsim.ScenarioError) as e:
        stpsim.Scenario.load(path)
    assert str(e.value) == expected
    assert [(x["field"], x["value"], x["line"]) for x in e.value.errors] == [
        ("kind", '"hospital"', 2),
        ("kind", '"clinic"', 3),
    ]
    assert (e.value.field, e.value.value) == ("kind", '"hospital"')
    assert all(x["message"] in str(e.value) for x in e.value.errors)


def test_an_unknown_name_is_refused_as_on_the_command_line(cli):
    p = cli("run", "basline", "--replicates", 1, "--quiet", "--out", "target/never", expect=2)
    with pytest.raises(stpsim.ScenarioError) as e:
        stpsim.run(["basline"], replicates=1)
    assert "error: " + str(e.value) == p.stderr.rstrip("\n")
    assert e.value.value == "basline"
    assert "did you mean `baseline`" in str(e.value)


def test_errors_carry_the_field_value_and_rule():
    with pytest.raises(stpsim.ScenarioError) as e:
        stpsim.Scenario.new(
            "too-strong", extends="baseline", levers=[{"kind": "strengthen_leads", "start": "2017Q2", "authority": 1.5}]
        )
    err = e.value
    # A file numbers its own levers from 0: baseline's joint working is levers[0] of baseline's file.
    assert (err.field, err.value, err.rule) == ("levers[0].authority", "1.5", "a number from 0 to 1")
    assert err.problem == "is out of range"
    assert err.line is not None and err.col is not None
    assert "authority = 1.5" in str(err)

    with pytest.raises(stpsim.ScenarioError) as e:
        stpsim.Scenario.new("typo", extends="baseline", params={"beta_0": 0.1})
    assert e.value.field == "params.beta_0" or "beta_0" in (e.value.field or "")
    assert "beta0" in e.value.rule


def test_a_dict_scenario_gets_the_same_message_as_its_file(cli, tmp_path):
    # The same mistake in a file and in dicts: the message differs only in the
    # file name and the line the generated TOML puts it on.
    with pytest.raises(stpsim.ScenarioError) as built:
        stpsim.Scenario.new("bad-quarter", extends="history", end="2021Q5")
    path = tmp_path / "quarter.toml"
    path.write_text(BAD["quarter.toml"])
    expected = cli_message(cli, path)
    first = lambda m: m.splitlines()[0].split(": ", 1)[1]
    assert first(str(built.value)) == first(expected)


def test_values_python_cannot_write_as_toml_are_type_errors():
    with pytest.raises(TypeError, match="None"):
        stpsim.Scenario.new("x", extends="baseline", params={"beta0": None})
    with pytest.raises(TypeError, match="cannot be written"):
        stpsim.Scenario.new("x", extends="baseline", params={"beta0": object()})


def test_run_arguments_are_checked():
    with pytest.raises(ValueError, match="replicates"):
        stpsim.run("baseline", replicates=0)
    with pytest.raises(ValueError, match="threads"):
        stpsim.run("baseline", replicates=1, threads=0)
    with pytest.raises(ValueError, match="names in one run must differ"):
        stpsim.run(["baseline", "baseline"], replicates=1)
