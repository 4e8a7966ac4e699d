"""The task queue's SQLite file: WAL with synchronous=NORMAL (no fsync per enqueue), and still
Huey's own storage for everything else (tasks in, tasks out, in order, across connections)."""

from __future__ import annotations

from huey import SqliteHuey

from egis.ops.queue_storage import SqliteQueue


def test_the_queue_file_is_wal_with_synchronous_normal(tmp_path):
    queue = SqliteQueue("t", filename=str(tmp_path / "q.sqlite3"))
    assert isinstance(queue, SqliteHuey)
    conn = queue.storage.conn
    assert conn.execute("pragma journal_mode").fetchone() == ("wal",)
    assert conn.execute("pragma synchronous").fetchone() == (1,)  # NORMAL (FULL is 2)


def test_tasks_go_in_and_come_out_in_order_across_connections(tmp_path):
    path = str(tmp_path / "q.sqlite3")
    sender, worker = SqliteQueue("t", filename=path), SqliteQueue("t", filename=path)
    for n in range(3):
        sender.storage.enqueue(f"task-{n}".encode())
    assert worker.storage.queue_size() == 3
    assert [bytes(worker.storage.dequeue()) for _ in range(3)] == [b"task-0", b"task-1", b"task-2"]
    assert worker.storage.dequeue() is None
