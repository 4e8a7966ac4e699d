"""A marker for errors whose message is written for the person who asked.

The CLI and the API print these as one line (never a traceback); anything else is a bug.
"""


class UserFacingError(Exception):
    exit_code = 1


# A locked or read-only database refuses a write before any venue call: nothing was sent, so
# the same words go to the page, the API (503 "busy") and the CLI (exit code 4).
DATABASE_BUSY_MESSAGE = "Database busy: nothing was sent. Try again."
