"""Shared fixtures: the command-line binary the Python results must equal."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """Runs `stpsim` (STPSIM_BIN, else the repository's release build, built
    if missing) and returns the completed process."""
    exe = os.environ.get("STPSIM_BIN")
    if not exe:
        exe = str(ROOT / "target" / "release" / "stpsim")
        if not Path(exe).exists():
            subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)

    def run(*args, cwd=None, expect=0):
        p = subprocess.run([exe, *map(str, args)], cwd=cwd or ROOT, capture_output=True, text=True)
        assert p.returncode == expect, f"stpsim {' '.join(map(str, args))} exited {p.returncode}:\n{p.stderr}"
        return p

    return run
