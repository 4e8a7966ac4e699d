"""Running `egis` in this process, on the test database (fast; no fresh migrated copy)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

from django.core.management import call_command


def run_cli(*args: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `egis ARGS...`."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            call_command("egis", *args)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()
