"""`tremplin serve` on a new home: the static files collected, then served from the start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# In a fresh process, as `tremplin serve` runs: collectstatic stood in for by one file (the
# real one takes 40 s), gunicorn's loop by one request for that file.
FIRST_START = """
import json, sys
from wsgiref.util import setup_testing_defaults
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from gunicorn.app.base import BaseApplication
import tremplin.core.management.commands.serve as serve

loaded, statuses = [], []

def collectstatic(name, **options):
    loaded.append("tremplin.wsgi" in sys.modules)
    (settings.STATIC_ROOT / "core").mkdir(parents=True)
    (settings.STATIC_ROOT / "core" / "probe.css").write_text("body { margin: 0 }")
    (settings.STATIC_ROOT / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')

def run(self):
    environ = {"PATH_INFO": "/static/core/probe.css", "HTTP_HOST": "127.0.0.1"}
    setup_testing_defaults(environ)
    b"".join(self.load()(environ, lambda status, headers, exc_info=None: statuses.append(status)))

serve.call_command = collectstatic
BaseApplication.run = run
call_command("serve", stdout=open("/dev/null", "w"))
print(json.dumps([loaded, statuses]))
"""


def test_the_first_start_of_a_new_home_serves_the_static_files_it_collected(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tremplin.settings"}
    env["TREMPLIN_HOME"] = str(tmp_path)
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", FIRST_START], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    loaded, statuses = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded == [False]  # collected before the application loads
    assert statuses == ["200 OK"]
