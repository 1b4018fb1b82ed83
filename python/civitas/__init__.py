"""Civitas from Python: run scenarios in-process and read any run into pandas or polars.

>>> import civitas
>>> result = civitas.run("scenarios/baseline.toml", agents=2000, replicates=4)
>>> result.targets[["label", "probability_met", "status"]]
>>> old = civitas.load("outputs/baseline")        # a run made by the CLI, CSV or Parquet

``run`` and ``sweep`` release the GIL while the replicates run (on all cores, through
rayon), so other Python threads go on, and two batches may run side by side. A scenario
that is not valid raises :class:`ScenarioError`, whose ``diagnostics`` name the file, line,
field and problem of each mistake.

Frames are the same whether a run was written as CSV or Parquet: text columns are
categoricals, ``date`` is a ``datetime64`` (the first day of the tick), the scope is split
into ``scope_kind`` and ``scope_name`` (missing for the city), and the time series has no
rows without a value.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

from . import _civitas
from ._civitas import CivitasError, ScenarioError

__all__ = [
    "CivitasError",
    "Result",
    "ScenarioError",
    "load",
    "run",
    "sweep",
    "validate",
]
__version__ = _civitas.__version__

PathLike = Union[str, "os.PathLike[str]"]

#: The tables a run or sweep may hold, in the order :attr:`Result.tables` lists them.
TABLES = ("timeseries", "summary", "targets", "target_values", "parameters", "agents", "sweep")


def _spec(name: str, levers: Sequence[str]) -> dict:
    return json.loads(_civitas.table_spec(name, list(levers)))


def _read_parquet(path: Path):
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas(date_as_object=False)


def _read_csv(path: Path, spec: dict):
    import pandas as pd

    dtypes = {}
    for column in spec["columns"]:
        kind = column["kind"]
        if kind in ("text", "name", "scope", "date"):
            dtypes[column["name"]] = str
        elif kind == "int":
            dtypes[column["name"]] = "int64"
        elif kind == "real":
            dtypes[column["name"]] = "float64"
        elif kind == "real32":
            dtypes[column["name"]] = "float32"
    # Only empty cells are missing: a district called "NA" stays a name.
    frame = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[""])
    for column in spec["columns"]:
        name, kind = column["name"], column["kind"]
        if kind == "name":
            # CSV escapes a name a spreadsheet would run as a formula with a leading '.
            frame[name] = frame[name].map(lambda s: s[1:] if s.startswith("'") else s)
        elif kind == "scope":
            parts = frame[name].str.split(":", n=1, expand=True)
            if parts.shape[1] == 1:
                parts[1] = None
            at = frame.columns.get_loc(name)
            frame = frame.drop(columns=[name])
            frame.insert(at, f"{name}_kind", parts[0])
            frame.insert(at + 1, f"{name}_name", parts[1])
        elif kind == "date":
            form = "%Y-%m-%d" if frame[name].str.len().max() == 10 else "%Y-%m"
            frame[name] = pd.to_datetime(frame[name], format=form).astype("datetime64[ms]")
        elif kind == "bool":
            frame[name] = frame[name].map({"true": True, "false": False, True: True, False: False})
            frame[name] = frame[name].astype(bool)
    drop = spec.get("drop_empty")
    if drop is not None:
        value = spec["columns"][drop]["name"]
        frame = frame[frame[value].notna()].reset_index(drop=True)
    return frame


def _normalise(frame, spec: dict):
    """The same dtypes from either format: text as categoricals, categories sorted."""
    import pandas as pd

    for column in spec["columns"]:
        kind = column["kind"]
        if kind not in ("text", "name", "scope"):
            continue
        names = [column["name"]]
        if kind == "scope":
            names = [f"{column['name']}_kind", f"{column['name']}_name"]
        for name in names:
            values = frame[name]
            if not isinstance(values.dtype, pd.CategoricalDtype):
                values = values.astype("category")
            frame[name] = values.cat.reorder_categories(sorted(values.cat.categories))
    return frame


def read_table(folder: PathLike, name: str, levers: Sequence[str] = ()):
    """The table ``name`` of an output folder as a pandas frame, from its Parquet file or
    its CSV file, whichever is there (the same frame either way); ``None`` when the
    folder has neither."""
    folder = Path(folder)
    spec = _spec(name, levers)
    parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
    if parquet.is_file():
        frame = _read_parquet(parquet)
    elif csv.is_file():
        frame = _read_csv(csv, spec)
    else:
        return None
    return _normalise(frame, spec)


class Result:
    """A finished run or sweep: its folder, manifest, resolved scenario and tables.

    Each table is read when first asked for (``result.timeseries``, ``result.targets``,
    …; ``None`` when the run has no such table) and kept. ``backend="polars"`` gives
    polars frames instead of pandas ones.
    """

    def __init__(self, path: PathLike, backend: str = "pandas", _keep: Any = None):
        self.path = Path(path)
        if backend not in ("pandas", "polars"):
            raise ValueError(f"backend: {backend!r}, expected 'pandas' or 'polars'")
        self.backend = backend
        manifest = self.path / "manifest.json"
        if not manifest.is_file():
            raise CivitasError(f"{self.path}: no manifest.json; not a Civitas result")
        #: ``manifest.json``: version, seed, replicates, agents, overrides, seeds, …
        self.manifest: dict = json.loads(manifest.read_text(encoding="utf-8"))
        #: The resolved scenario that ran, as TOML text.
        self.scenario: str = (self.path / "scenario.toml").read_text(encoding="utf-8")
        #: ``"run"`` or ``"sweep"``.
        self.kind: str = self.manifest.get("kind", "run")
        self._frames: dict = {}
        self._keep = _keep  # a temporary folder lives as long as its result

    def _table(self, name: str):
        if name not in self._frames:
            frame = read_table(self.path, name, self.manifest.get("levers", []))
            if frame is not None and self.backend == "polars":
                import polars as pl

                frame = pl.from_pandas(frame)
            self._frames[name] = frame
        return self._frames[name]

    @property
    def tables(self) -> list:
        """The names of the tables this result holds."""
        return [
            n
            for n in TABLES
            if (self.path / f"{n}.csv").is_file() or (self.path / f"{n}.parquet").is_file()
        ]

    timeseries = property(lambda self: self._table("timeseries"), doc="Per replicate, tick, indicator and scope.")
    summary = property(lambda self: self._table("summary"), doc="Mean, p5, p50, p95, sd, n across replicates.")
    targets = property(lambda self: self._table("targets"), doc="Each target: value, probability met, status.")
    target_values = property(lambda self: self._table("target_values"), doc="Each replicate's value of each target.")
    parameters = property(lambda self: self._table("parameters"), doc="Each replicate's draws of the priors.")
    agents = property(lambda self: self._table("agents"), doc="The agent sample, when the run has one.")
    sweep = property(lambda self: self._table("sweep"), doc="A sweep's table: point, levers, targets.")

    def point(self, index: int) -> "Result":
        """Sweep point ``index`` as a result of its own (its targets and target values)."""
        folder = self.path / "points" / f"p{index:04d}"
        point = Result.__new__(Result)
        point.path, point.backend, point._frames, point._keep = folder, self.backend, {}, self._keep
        point.manifest, point.kind = self.manifest, "run"
        point.scenario = (folder / "scenario.toml").read_text(encoding="utf-8")
        return point

    def __repr__(self) -> str:
        return f"civitas.Result({str(self.path)!r}, kind={self.kind!r}, tables={self.tables})"


def load(path: PathLike, backend: str = "pandas") -> Result:
    """Reads a finished run or sweep (``outputs/<name>/``), CSV or Parquet."""
    return Result(path, backend)


def _out(out: Optional[PathLike]):
    if out is not None:
        return Path(out), None
    keep = tempfile.TemporaryDirectory(prefix="civitas-")
    return Path(keep.name), keep


def _overrides(overrides: Optional[Mapping[str, float]]) -> list:
    pairs = []
    for path, value in (overrides or {}).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"overrides[{path!r}]: {value!r} is not a number")
        pairs.append((str(path), float(value)))
    return pairs


def _batch(scenario, *, out, backend, overrides, **options) -> Result:
    folder, keep = _out(out)
    path = _civitas.batch(
        None if scenario is None else os.fspath(scenario),
        os.fspath(folder),
        overrides=_overrides(overrides),
        **options,
    )
    return Result(path, backend, keep)


def run(
    scenario: Optional[PathLike] = None,
    *,
    agents: Optional[int] = None,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    overrides: Optional[Mapping[str, float]] = None,
    format: Optional[str] = None,
    uncertainty: bool = True,
    out: Optional[PathLike] = None,
    force: bool = False,
    backend: str = "pandas",
) -> Result:
    """Runs a scenario's replicates in this process, as ``civitas run`` does.

    ``scenario`` is a scenario file (TOML, YAML or JSON); ``None`` runs the bundled
    baseline. ``agents`` keeps the represented population (``scale`` follows),
    ``replicates`` and ``seed`` replace the file's, ``threads`` bounds the worker threads
    (results do not depend on it), ``overrides`` sets numeric fields by path
    (``{"policies[name=ops].amount_per_year": 2e8}``, as ``civitas sweep --set`` addresses
    them), ``format`` is ``"csv"``, ``"parquet"`` or ``"both"``, ``uncertainty=False``
    ignores the ``[[uncertainty]]`` priors, ``force`` replaces an output of another
    experiment. The output goes to ``out/<name>/`` (a temporary folder, removed with the
    result, when ``out`` is None); ``backend="polars"`` gives polars frames.
    Raises :class:`ScenarioError` for an invalid scenario or override, and
    :class:`CivitasError` when the batch fails.
    """
    return _batch(**locals())


def sweep(
    scenario: Optional[PathLike],
    levers: Union[Iterable[str], Mapping[str, Sequence[float]]],
    *,
    lhs: Optional[int] = None,
    timeseries: bool = False,
    **options: Any,
) -> Result:
    """Runs a scenario over a grid, a list or a Latin hypercube of lever values, as
    ``civitas sweep`` does.

    ``levers`` is a list of ``"PATH=LO..HI:N"`` / ``"PATH=a,b,c"`` (``"PATH=LO..HI"`` with
    ``lhs=N``), or a mapping from path to its values; ``timeseries=True`` also writes
    every point's time series; ``options`` are the keyword arguments of :func:`run`. The
    result's ``sweep`` table has a row per point and target; ``result.point(i)`` is one
    point.
    """
    if isinstance(levers, Mapping):
        levers = [f"{p}={','.join(repr(float(v)) for v in values)}" for p, values in levers.items()]
    options.setdefault("out", None)
    options.setdefault("backend", "pandas")
    options.setdefault("overrides", None)
    return _batch(scenario, levers=list(levers), lhs=lhs, timeseries=timeseries, **options)


def validate(scenario: PathLike) -> None:
    """Checks a scenario file; raises :class:`ScenarioError` when it is not valid."""
    _civitas.validate(os.fspath(scenario))
