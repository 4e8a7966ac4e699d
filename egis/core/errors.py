"""A marker for errors whose message is written for the person who asked.

The CLI and the API print these as one line (never a traceback); anything else is a bug.
"""


class UserFacingError(Exception):
    exit_code = 1
