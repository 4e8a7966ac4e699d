"""Issue 10, section 2: a locked database is an answer with its own exit code (4), not exit 70."""

import sqlite3

from tests.support.cli import egis_json, fresh_cli_env


def test_a_locked_database_exits_4_and_sends_nothing(tmp_path):
    env = fresh_cli_env(tmp_path, EGIS_SQLITE_BUSY_TIMEOUT="0")
    egis_json(env, "user", "create", "dana", "--role", "user", "--password", "a-long-pass-42")
    egis_json(env, "price", "set", "BNBUSDT", "580.00")
    bot, _ = egis_json(
        env, "bot", "create", "--owner", "dana", "--name", "Dana BNB", "--venue", "paper",
        "--symbol", "BNBUSDT", "--budget", "100",
    )  # fmt: skip

    other = sqlite3.connect(tmp_path / "egis.sqlite3", timeout=1, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        error, done = egis_json(
            env, "order", "open", str(bot["id"]), "--side", "long", "--size-usd", "10", ok=False
        )
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert done.returncode == 4, done.stderr
    assert error["error"]["code"] == "busy"
    assert done.stderr.startswith("egis: Database busy: nothing was sent. Try again.")
    positions, _ = egis_json(env, "positions", str(bot["id"]))
    assert positions["positions"] == []


def test_a_database_not_migrated_is_told_so_not_busy(tmp_path):
    """A newcomer run met 'Database busy: ... Try again.' for 'no such column' (an older
    database under newer code): trying again would never help."""
    env = fresh_cli_env(tmp_path)
    egis_json(env, "user", "create", "dana", "--role", "user", "--password", "a-long-pass-42")
    egis_json(env, "price", "set", "BNBUSDT", "580.00")
    bot, _ = egis_json(
        env, "bot", "create", "--owner", "dana", "--name", "Dana BNB", "--venue", "paper",
        "--symbol", "BNBUSDT", "--budget", "100",
    )  # fmt: skip
    db = sqlite3.connect(tmp_path / "egis.sqlite3", isolation_level=None)
    db.execute("DROP TABLE signals")
    db.close()
    error, done = egis_json(env, "signals", str(bot["id"]), ok=False)
    assert done.returncode == 4, done.stderr
    assert done.stderr.startswith("egis: The database is not migrated: nothing was sent.")
    assert "manage.py migrate" in error["error"]["message"]
