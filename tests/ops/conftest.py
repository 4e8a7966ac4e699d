"""The API personas of tests/api, for the order whose log lines are followed."""

from tests.api.conftest import api_as, as_bob  # noqa: F401
