"""Starting Django (a management command, a migration, the admin, a web worker before its
first ranking) does not load scikit-learn, scipy or opendp: they load with the first
ranking or statistics release. Measured in a fresh interpreter, as a worker starts."""

import subprocess
import sys

HEAVY = ("sklearn", "scipy", "opendp")

PROGRAM = """
import sys
import django
django.setup()
from django.contrib import admin
admin.autodiscover()
import newsapp.urls  # every view, the admin site and its actions
print(" ".join(sorted(name for name in {heavy!r} if name in sys.modules)))
"""


def test_django_starts_without_the_numerical_libraries():
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(heavy=HEAVY)],
        env={"DJANGO_SETTINGS_MODULE": "newsapp.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == "", f"loaded at start-up: {done.stdout.strip()}"
