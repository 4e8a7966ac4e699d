"""The `egis` console script: `egis order open 1 ...` is `manage.py egis order open 1 ...`."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "egis.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], "egis", *sys.argv[1:]])
