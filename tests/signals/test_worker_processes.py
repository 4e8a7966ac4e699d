"""A worker *process* that starts while another process executes a signal leaves it alone.

deploy/processes.toml runs several Huey consumers (M instances, each a process on its own host
or container) on PostgreSQL + Redis. When one of them starts (a restart after a crash, a
rolling deploy, scaling up), its start-up sweep must resume only claims whose worker is dead.
A claim taken before it started by another consumer that is still alive is that consumer's:
taking it over looks the live consumer's order up at the venue before it is sent (or places
the signal's orders a second time from the start), ends the signal with a status its orders
contradict, and lets the bot's next signal run before this one's order is settled.

The other consumer is modelled as a process start of its own (egis.ops.worker_start) with its
own host name, as a container or another machine has; the real start-up hook runs in a thread.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading

import pytest
from django.db import connection

from egis.ledger.models import Order, Position
from egis.ops import worker_start
from egis.signals.models import Signal, SignalStatus
from egis.signals.processing import signal_process
from egis.signals.tasks import signals_resume_on_worker_start
from egis.venues.paper.models import PaperFill
from tests.execution.support.venues import ProcessKilled, _Wrapped

pytestmark = pytest.mark.django_db(transaction=True)


def _process(host: str) -> worker_start._ProcessStart:
    return worker_start._ProcessStart(host=host)


def _start_other_process(monkeypatch, host: str) -> None:
    """Another consumer process starts now and runs its start-up hook (in a thread here)."""
    errors: list[BaseException] = []
    mine = worker_start._start

    def run() -> None:
        try:
            signals_resume_on_worker_start()
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    monkeypatch.setattr(worker_start, "_start", _process(host))
    try:
        thread = threading.Thread(target=run)
        thread.start()
        thread.join(timeout=30)
    finally:
        monkeypatch.setattr(worker_start, "_start", mine)
    assert not thread.is_alive()
    assert errors == []


class OtherProcessStartsMidCall(_Wrapped):
    """While this process's first order is on its way to the venue (its row committed as
    `submitting`), another consumer process starts and runs its start-up hook."""

    def __init__(self, bot, monkeypatch) -> None:
        super().__init__(bot)
        self.monkeypatch, self.started = monkeypatch, False

    def place_market_order(self, request):
        if not self.started:
            self.started = True
            _start_other_process(self.monkeypatch, "worker-b")
        return super().place_market_order(request)


def test_a_process_starting_mid_signal_leaves_another_live_process_s_claim_alone(
    sender, paper_bot, queue_only, monkeypatch
):
    monkeypatch.setattr(worker_start, "_start", _process("worker-a"))
    signals_resume_on_worker_start()  # worker-a's own start: nothing to resume
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "s1"})
    sender.post({"action": "close", "id": "s2"})

    venue = OtherProcessStartsMidCall(paper_bot, monkeypatch)
    signal_process(bot_id=paper_bot.pk, venue=venue)
    assert venue.started

    s1, s2 = Signal.objects.get(sender_id="s1"), Signal.objects.get(sender_id="s2")
    assert s1.status == SignalStatus.EXECUTED, s1.reason
    assert s2.status == SignalStatus.EXECUTED, s2.reason
    orders = list(Order.objects.order_by("id"))
    assert [(o.intent, o.status) for o in orders] == [("open", "filled"), ("close", "filled")]
    assert all("recovery" not in (o.venue_response or {}) for o in orders)
    fills = sorted(PaperFill.objects.values_list("client_order_id", flat=True))
    assert fills == sorted(o.client_order_id for o in orders)
    [position] = Position.objects.filter(bot=paper_bot)
    assert position.status == "closed"


class KilledBeforeTheVenue(_Wrapped):
    def place_market_order(self, request):
        raise ProcessKilled("SIGKILL before the request left")


def _owner(pid: int, *, scope: str | None = None) -> str:
    """A claim's owner as a process of this host named it (egis.ops.worker_start.identity)."""
    scope = worker_start._pid_scope() if scope is None else scope
    return f"{socket.gethostname()}:{scope}:{pid}:0123456789ab#1"


def _claim_left_by(sender, paper_bot, owner: str) -> Signal:
    """A signal whose worker died before its order left, its claim named `owner`."""
    sender.post({"action": "open", "side": "long", "size_usd": "20", "id": "s1"})
    with pytest.raises(ProcessKilled):
        signal_process(bot_id=paper_bot.pk, venue=KilledBeforeTheVenue(paper_bot))
    Signal.objects.filter(sender_id="s1").update(claimed_by=owner)
    signal = Signal.objects.get(sender_id="s1")
    assert signal.status == SignalStatus.EXECUTING
    return signal


def test_the_claim_of_an_ended_process_of_this_host_is_resumed_at_start(
    sender, paper_bot, queue_only, restart_worker
):
    ended = subprocess.Popen(["true"])
    ended.wait()  # reaped: its pid names no process
    _claim_left_by(sender, paper_bot, _owner(ended.pid))

    restart_worker()
    signals_resume_on_worker_start()

    signal = Signal.objects.get(sender_id="s1")
    assert signal.status == SignalStatus.FAILED  # its order's fate is recovery's to learn
    assert "still in flight" in signal.reason
    assert Order.objects.count() == 1  # never placed twice


def test_the_claim_of_a_live_process_of_this_host_waits_for_its_lease(
    sender, paper_bot, queue_only, restart_worker, settings
):
    live = subprocess.Popen(["sleep", "60"])
    try:
        owner = _owner(live.pid)
        _claim_left_by(sender, paper_bot, owner)

        restart_worker()
        signals_resume_on_worker_start()
        signal = Signal.objects.get(sender_id="s1")
        assert (signal.status, signal.claimed_by) == (SignalStatus.EXECUTING, owner)

        settings.EGIS_SIGNAL_LEASE_S = 0  # its lease ran out: the periodic sweep takes it
        [resumed] = signal_process()
        assert resumed.pk == signal.pk
        assert resumed.status == SignalStatus.FAILED
    finally:
        live.kill()
        live.wait()


def test_a_claim_without_its_owner_from_before_the_upgrade_waits_for_its_lease(
    sender, paper_bot, queue_only, restart_worker, settings
):
    # A worker of the version before claims named their owner, alive during a rolling upgrade.
    signal = _claim_left_by(sender, paper_bot, "")

    restart_worker()
    signals_resume_on_worker_start()
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.EXECUTING

    settings.EGIS_SIGNAL_LEASE_S = 0  # its lease ran out: the periodic sweep takes it
    [resumed] = signal_process()
    assert (resumed.pk, resumed.status) == (signal.pk, SignalStatus.FAILED)
    assert Order.objects.count() == 1


def _other_namespace() -> str:
    boot, _, _ = worker_start._pid_scope().partition(".")
    return f"{boot}.0f1e2d3c"


@pytest.mark.parametrize("scope", ["other namespace", "."])
def test_a_claim_from_another_pid_namespace_of_the_same_host_name_waits_for_its_lease(
    sender, paper_bot, queue_only, restart_worker, scope
):
    """Two replicas given one host name, each in its own PID namespace (or a namespace that
    cannot be read): a pid that names no process here says nothing about the other's process."""
    scope = _other_namespace() if scope == "other namespace" else scope
    ended = subprocess.Popen(["true"])
    ended.wait()  # this pid names no process here
    signal = _claim_left_by(sender, paper_bot, _owner(ended.pid, scope=scope))

    restart_worker()
    signals_resume_on_worker_start()
    assert Signal.objects.get(pk=signal.pk).status == SignalStatus.EXECUTING
    assert Order.objects.count() == 1


def test_a_worker_names_where_its_pid_is_valid():
    here = worker_start._ProcessStart()
    host, scope, pid, token = here.identity().rsplit(":", 3)
    assert (host, int(pid), len(token)) == (socket.gethostname(), os.getpid(), 12)
    boot, namespace = scope.split(".")
    assert len(boot) == len(namespace) == 8  # this machine has /proc: boot id and PID namespace
    ended = subprocess.Popen(["true"])
    ended.wait()
    # A process of this host, boot and namespace that ended; an earlier start of this pid.
    assert here.gone(f"{host}:{scope}:{ended.pid}:{token}#3")
    assert here.gone(f"{host}:{scope}:{os.getpid()}:0123456789ab#3")
    assert not here.gone(f"{host}:{scope}:{os.getpid()}:{token}#3")  # one of our threads
    # Another namespace: a replica given this host name, both pid 1 (a review ran two in real
    # PID namespaces: the old rule took the live one's claim), or a restarted container.
    assert not here.gone(f"{host}:{boot}.0f1e2d3c:{os.getpid()}:0123456789ab#3")
    assert not here.gone(f"{host}:{boot}.0f1e2d3c:{ended.pid}:0123456789ab#3")
    # Another boot: a machine cloned with this host name, as well as this one rebooted.
    assert not here.gone(f"{host}:a1b2c3d4.{namespace}:{ended.pid}:0123456789ab#3")
    # A namespace that could not be read, here or there.
    assert not here.gone(f"{host}:{boot}.:{ended.pid}:0123456789ab#3")
    unread = worker_start._ProcessStart(scope=f"{boot}.")
    assert not unread.gone(f"{host}:{boot}.:{ended.pid}:{token}#3")
    assert not here.gone(f"{host}:{ended.pid}:{token}")  # written before the scope: the lease
    assert not here.gone(f"other-host:{scope}:{ended.pid}:{token}#3")


def test_the_pid_scope_is_empty_where_proc_cannot_be_read(monkeypatch):
    def unreadable(*args, **kwargs):
        raise OSError("no /proc here")

    monkeypatch.setattr(worker_start.os, "readlink", unreadable)
    monkeypatch.setattr(worker_start.Path, "read_text", unreadable)
    assert worker_start._pid_scope() == "."
