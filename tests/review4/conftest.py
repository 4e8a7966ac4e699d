"""review4: the fixtures of the signal and notification suites, shared here."""

from tests.notifications.conftest import bob_channels, receiver, telegram  # noqa: F401
from tests.signals.conftest import (  # noqa: F401
    _fresh_throttle,
    _fresh_worker_process,
    issued,
    queue_only,
    restart_worker,
    sender,
)
