"""The worker looks at a SQLite queue at least every 0.1 s.

Huey's consumer polls a queue that cannot block (SQLite) and, by default, lets an idle worker
thread wait 0.1 s, then 1.15 times longer after each empty look, up to 10 s: a signal that
arrived after a quiet minute waited up to 10 s before a worker picked it up (benchmark 6 measured
the receipt -> venue p50 at 683 ms at 100 signals/s because of it). The consumer is built here the
way `manage.py run_huey` builds it, with the arguments `scripts/run.sh` passes.
"""

from __future__ import annotations

from django.conf import settings
from huey.consumer_options import ConsumerConfig
from huey.contrib.djhuey import HUEY


def _consumer_config(**cli: object) -> ConsumerConfig:
    # As run_huey does: the settings' consumer options, then what the command line gives.
    options = dict(settings.HUEY.get("consumer", {}))
    options.update({k: v for k, v in cli.items() if v is not None})
    return ConsumerConfig(**options)


def test_an_idle_worker_thread_looks_at_the_queue_every_tenth_of_a_second():
    config = _consumer_config(workers=4, worker_type="thread")
    consumer = HUEY.create_consumer(**config.values)
    worker = consumer._create_worker()
    assert not HUEY.storage.blocking  # SQLite: polled
    assert worker.max_delay <= 0.1
    assert worker.default_delay <= 0.05
