"""An establishment copy's process for the tests: Django started once in the copy's
TREMPLIN_HOME, then one JSON request per line on stdin (a `tremplin` command, or Python code
that assigns `result`), one JSON answer per line on stdout. The copy is a real installation of
its own (its database, its settings); only the process start-up is shared between operations."""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import traceback
from typing import Any


def serve() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tremplin.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    answers = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        out, err = io.StringIO(), io.StringIO()
        code, result = 0, None
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                if request["op"] == "cli":
                    call_command(*request["args"], stdout=out, stderr=err)
                else:
                    namespace: dict[str, Any] = {"result": None}
                    exec(request["code"], namespace)  # noqa: S102 - the tests' own code
                    result = namespace["result"]
        except CommandError as exc:
            code = 1
            err.write(str(exc))
        except Exception:
            code = 1
            err.write(traceback.format_exc())
        reply = {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue(), "result": result}
        answers.write(json.dumps(reply, default=str) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve()
