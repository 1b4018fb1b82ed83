"""Shared pieces of the Python package's tests: the repository root and the CLI binary."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def civitas_cli():
    """The `civitas` binary the Rust build made (CIVITAS_BIN, else target/debug/civitas)."""
    path = Path(os.environ.get("CIVITAS_BIN", ROOT / "target" / "debug" / "civitas"))
    if not path.is_file():
        pytest.fail(f"{path}: no civitas binary; run `cargo build -p civitas-cli` first")

    def run(*args):
        return subprocess.run([str(path), *map(str, args)], check=True, capture_output=True, text=True)

    return run
