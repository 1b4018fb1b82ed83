"""Types of the extension module ``civitas._civitas`` (see ``civitas/__init__.py``)."""

from typing import List, Optional, Tuple

__version__: str

class CivitasError(Exception):
    """A Civitas run, sweep or read failed."""

class ScenarioError(CivitasError):
    """The scenario is not valid."""

    diagnostics: List[dict]
    """Every problem: ``file``, ``line``, ``column``, ``field``, ``message``."""
    file: Optional[str]
    line: Optional[int]
    field: Optional[str]

def batch(
    scenario: Optional[str],
    out: str,
    *,
    levers: Optional[List[str]] = None,
    lhs: Optional[int] = None,
    timeseries: bool = False,
    agents: Optional[int] = None,
    replicates: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    overrides: List[Tuple[str, float]] = ...,
    format: Optional[str] = None,
    uncertainty: bool = True,
    force: bool = False,
) -> str: ...
def validate(scenario: str) -> None: ...
def table_spec(name: str, levers: List[str] = ...) -> str: ...
