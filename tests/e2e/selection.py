"""Whether a pytest run asks for the browser tests: ``make e2e``, ``pytest tests/e2e`` (or a
file or test in it), or ``E2E=1``. Plain Python, no Django: tests/conftest.py asks before
the run starts, to keep the browser tests in one process (they are not spread over
pytest-xdist workers), and tests/e2e/conftest.py asks to deselect them otherwise."""

import os
from pathlib import Path

E2E_DIR = Path(__file__).parent


def asked_for(config) -> bool:
    if os.environ.get("E2E") == "1":
        return True
    for arg in config.args:
        path = Path(arg.split("::", 1)[0]).resolve()
        if path == E2E_DIR or E2E_DIR in path.parents:
            return True
    return False
