"""`egis user unlock` and `egis user reset-password`, run as an operator runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.cli import ROOT, egis_json

# Reads and writes the CLI's own database and cache through the real code, in its own process.
_PROBE = """
import json, sys, django
django.setup()
from egis.accounts.models import User
from egis.accounts.tokens import token_authenticate
from egis.accounts import throttle
op, args = sys.argv[1], json.loads(sys.argv[2])
if op == "fail":
    for _ in range(args["n"]):
        state = throttle.record_failure(username=args["user"], address=args["address"])
    print(json.dumps({"locked": state.locked}))
elif op == "state":
    s = throttle.state(username=args["user"], address=args["address"])
    print(json.dumps({"locked": s.locked, "left": s.attempts_left}))
elif op == "check":
    user = User.objects.get(username=args["user"])
    print(json.dumps({
        "password_ok": user.check_password(args["password"]),
        "token_user": getattr(token_authenticate(args["token"]), "username", None),
    }))
"""


def probe(env, op, **args):
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, op, json.dumps(args)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    from tests.support.cli import fresh_cli_env

    env = fresh_cli_env(tmp_path_factory.mktemp("egis-cli-users"))
    egis_json(env, "user", "create", "ada", "--role", "admin", "--password", "admin-pass-4242")
    egis_json(env, "user", "create", "ben", "--role", "user", "--password", "ben-pass-424242")
    return env


def test_unlock_lifts_the_lock_from_every_address(cli_env):
    assert probe(cli_env, "fail", user="ben", address="10.1.0.1", n=5) == {"locked": True}
    probe(cli_env, "fail", user="ben", address="10.1.0.2", n=2)
    result, _ = egis_json(cli_env, "user", "unlock", "ben", "--actor", "ada")
    assert result == {"username": "ben", "unlocked": True, "failures_dropped": 7}
    for address in ("10.1.0.1", "10.1.0.2"):
        assert probe(cli_env, "state", user="ben", address=address) == {"locked": False, "left": 5}


def test_reset_password_prints_a_new_password_and_token_once(cli_env):
    result, _ = egis_json(cli_env, "user", "reset-password", "ben")
    assert set(result) == {"username", "password", "api_token", "api_token_id"}
    checked = probe(
        cli_env, "check", user="ben", password=result["password"], token=result["api_token"]
    )
    assert checked == {"password_ok": True, "token_user": "ben"}
    old = probe(cli_env, "check", user="ben", password="ben-pass-424242", token="egis_x_y")
    assert old == {"password_ok": False, "token_user": None}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("user", "unlock", "nobody"), "no user named"),
        (("user", "reset-password", "nobody"), "no user named"),
        (("user", "unlock", "ben", "--actor", "ben"), "is not an admin"),
        (("user", "reset-password", "ada", "--actor", "ada"), "Settings page"),
    ],
)
def test_refusals_are_one_line_exit_1(cli_env, args, words):
    error, done = egis_json(cli_env, *args, ok=False)
    assert done.returncode == 1
    assert words in error["error"]["message"]


def test_deactivate_and_activate_from_the_cli(cli_env):
    """Reactivation existed only as a service nothing called (a newcomer run used a Python
    shell); the CLI now has both, with the admin named by --actor."""
    off, _ = egis_json(cli_env, "user", "deactivate", "ben", "--actor", "ada")
    assert off == {"username": "ben", "is_active": False}
    _, done = egis_json(cli_env, "user", "deactivate", "ada", "--actor", "ada", ok=False)
    assert "cannot deactivate yourself" in done.stderr
    on, _ = egis_json(cli_env, "user", "activate", "ben")
    assert on == {"username": "ben", "is_active": True}
    _, done = egis_json(cli_env, "user", "activate", "ben", ok=False)
    assert "active already" in done.stderr
