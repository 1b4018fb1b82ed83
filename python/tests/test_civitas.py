"""The civitas package against the CLI: same numbers, the same frames from CSV and Parquet,
scenario mistakes as exceptions, batches in threads."""

import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import civitas

from conftest import ROOT

SMALL = dict(agents=1500, replicates=3, seed=11)

# The bundled baseline's targets, one row each in targets.csv (read from the file, so a
# target added to the baseline does not break these tests).
with open(ROOT / "scenarios" / "baseline.toml", "rb") as f:
    BASELINE_TARGETS = len(tomllib.load(f)["targets"])


def test_run_gives_the_numbers_of_the_cli_on_the_same_seed(tmp_path, civitas_cli):
    civitas_cli("run", "--agents", 1500, "--replicates", 3, "--seed", 11, "--out", tmp_path / "cli")
    cli = civitas.load(tmp_path / "cli" / "baseline")
    mine = civitas.run(**SMALL, out=tmp_path / "py")
    assert mine.path == tmp_path / "py" / "baseline"
    for table in ["timeseries", "summary", "targets", "target_values", "parameters"]:
        assert_frame_equal(getattr(mine, table), getattr(cli, table), obj=table)
    assert len(mine.targets) == BASELINE_TARGETS
    assert mine.manifest["seed"] == 11 and mine.manifest["replicates"] == 3
    assert mine.targets["status"].isin(["met", "at_risk", "missed", "no_data"]).all()


def test_csv_and_parquet_give_identical_frames(tmp_path):
    both = civitas.run(**SMALL, format="both", out=tmp_path / "both")
    only_csv = civitas.run(**SMALL, out=tmp_path / "csv")
    for table in ["timeseries", "summary", "targets", "target_values", "parameters"]:
        from_parquet = civitas.read_table(both.path, table)
        from_csv = civitas.read_table(only_csv.path, table)
        assert (both.path / f"{table}.parquet").is_file()
        assert_frame_equal(from_parquet, from_csv, obj=table)
    ts = both.timeseries
    assert list(ts.columns) == [
        "scenario", "replicate", "tick", "date", "indicator", "scope_kind", "scope_name", "value",
    ]
    assert ts["date"].dtype == "datetime64[ms]"
    assert ts["value"].notna().all()
    assert ts.loc[ts.scope_kind == "city", "scope_name"].isna().all()
    # pandas reads the Parquet file itself with categorical indicators.
    raw = pd.read_parquet(both.path / "timeseries.parquet")
    assert isinstance(raw["indicator"].dtype, pd.CategoricalDtype)
    assert len(raw) == len(ts)


def test_overrides_set_fields_and_are_recorded(tmp_path):
    base = civitas.run(**SMALL, uncertainty=False, out=tmp_path / "a")
    more = civitas.run(
        **SMALL,
        uncertainty=False,
        overrides={"policies[name=ops].amount_per_year": 4e8},
        out=tmp_path / "b",
    )
    assert "policies[name=ops].amount_per_year=400000000" in more.manifest["overrides"]
    assert not base.summary["mean"].equals(more.summary["mean"])


def bad_scenario(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        f'extends = "{(ROOT / "scenarios" / "baseline.toml").as_posix()}"\n'
        "\n"
        "[population]\n"
        "agents = -5\n"
    )
    return path


def test_a_bad_scenario_raises_naming_file_line_and_field(tmp_path):
    path = bad_scenario(tmp_path)
    with pytest.raises(civitas.ScenarioError) as caught:
        civitas.run(path, replicates=1)
    e = caught.value
    assert e.file.endswith("bad.toml")
    assert e.line == 4
    assert e.field == "population.agents"
    assert "bad.toml:4" in str(e)
    assert e.diagnostics[0]["message"]
    with pytest.raises(civitas.ScenarioError) as caught:
        civitas.validate(path)
    assert caught.value.field == "population.agents"
    # An override that breaks a rule names the field too.
    with pytest.raises(civitas.ScenarioError) as caught:
        civitas.run(**SMALL, overrides={"policies[name=ops].amount_per_year": -1.0}, out=tmp_path)
    assert "amount_per_year" in caught.value.field
    with pytest.raises(civitas.CivitasError):
        civitas.run(**SMALL, overrides={"no.such.field": 1.0}, out=tmp_path)


def test_two_scenarios_in_threads_are_safe_and_release_the_gil(tmp_path):
    seeds = [3, 4]
    alone = {s: civitas.run(agents=1500, replicates=3, seed=s, out=tmp_path / f"alone{s}") for s in seeds}
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    try:
        with ThreadPoolExecutor(2) as pool:
            futures = {
                s: pool.submit(civitas.run, agents=1500, replicates=3, seed=s, out=tmp_path / f"t{s}")
                for s in seeds
            }
            together = {s: f.result() for s, f in futures.items()}
    finally:
        stop.set()
        counter.join()
    for s in seeds:
        assert_frame_equal(together[s].summary, alone[s].summary)
        assert_frame_equal(together[s].target_values, alone[s].target_values)
    # The counter thread ran while the batches did: the GIL was released.
    assert len(ticks) > 20


def test_a_sweep_reads_back_with_its_levers(tmp_path):
    result = civitas.sweep(
        None,
        {"policies[name=ops].amount_per_year": [0, 2e8]},
        agents=1000,
        replicates=2,
        format="parquet",
        out=tmp_path,
    )
    table = result.sweep
    assert result.kind == "sweep"
    assert sorted(table["point"].unique()) == [0, 1]
    assert "policies[name=ops].amount_per_year" in table.columns
    assert len(result.point(1).target_values) == 2 * BASELINE_TARGETS


def test_polars_frames_when_asked(tmp_path):
    pl = pytest.importorskip("polars")
    result = civitas.run(**SMALL, format="parquet", out=tmp_path, backend="polars")
    assert isinstance(result.targets, pl.DataFrame)
