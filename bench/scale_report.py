"""The verdict and figures of `make scale-check`, from the load client's tally and the checks."""

from __future__ import annotations

from typing import Any

from common import result


def report(
    *,
    load: dict[str, Any],
    checks: dict[str, Any],
    left: dict[str, int],
    drain_s: float,
    web_resume_s: float,
    worker_resume_s: float,
    web_kill_at: float,
    killed_base: str,
    periodic_skips: int,
    load_avg: list[float],
    metrics: dict[str, float],
    log_lines: dict[str, int],
) -> list[dict[str, Any]]:
    counts: dict[str, int] = load["counts"]
    elapsed = load["elapsed_s"]
    ledger, signals, jobs, periodic = (
        checks["ledger"],
        checks["signals"],
        checks["jobs"],
        checks["periodic"],
    )
    # Every request cut in flight must have been on the killed instance, around the kill.
    cuts_elsewhere = [
        c
        for c in load["cuts"]
        if c["base"] != killed_base or not web_kill_at - 1 <= c["at"] <= web_kill_at + 5
    ]
    refusals = {k.removeprefix("order 409 "): n for k, n in counts.items() if "409" in k}
    verdicts = {
        "0 overspent bots": not ledger["overspent"],
        "every order final": ledger["not_final"] == 0,
        "no position mid-close": ledger["mid_close"] == 0,
        "0 5xx": counts.get("5xx", 0) == 0,
        "0 wrong answers": counts.get("wrong answer", 0) == 0,
        "cuts only on the killed instance": not cuts_elsewhere,
        "periodic once per period": (
            not periodic["gaps"]
            and periodic["price_steps"] <= periodic["price_steps_allowed"]
            and bool(periodic["runs"])
        ),
        "jobs exactly once": (
            jobs["executed_twice"] == 0
            and jobs["never_executed"] == 0
            and jobs["cut_elsewhere"] == 0
            and jobs["finished_twice"] == 0
        ),
        "signals exactly once": (
            signals["not_final"] == 0
            and signals["dup_order_keys"] == 0
            and signals["dup_sender_rows"] == 0
            and signals["signals_with_two_opens"] == 0
            and signals["accepted_without_row"] == 0
            and signals["paper_fills_twice"] == 0
            and signals["paper_fills_without_order"] == 0
        ),
        "queue drained": not any(left.values()),
        "metrics scraped": metrics.get("egis_orders", 0) > 0
        and metrics.get("egis_order_seconds_count", 0) > 0,
    }
    failed = [name for name, ok in verdicts.items() if not ok]
    if load["samples"]:
        print("  samples: " + " | ".join(load["samples"][:6]))
    if failed:
        print(f"  FAILED: {', '.join(failed)}")
        print(f"  ledger={ledger} signals={signals} jobs={jobs} left={left}")
        print(f"  periodic gaps={periodic['gaps']} cuts elsewhere={cuts_elsewhere[:5]}")
    figures = {
        "orders/s": round(counts.get("order 201", 0) / elapsed, 1),
        "order p50 ms": load["order_p50_ms"],
        "order p99 ms": load["order_p99_ms"],
        "budget reads/s": round(counts.get("budget 200", 0) / elapsed, 1),
        "budget p50/p99 ms": f"{load['budget_p50_ms']}/{load['budget_p99_ms']}",
        "signals accepted/s": round(counts.get("signal accepted", 0) / elapsed, 1),
        "signal answer p50/p99 ms": f"{load['signal_p50_ms']}/{load['signal_p99_ms']}",
        "5xx": counts.get("5xx", 0),
        "wrong answers": counts.get("wrong answer", 0),
        "cut in flight (killed web)": len(load["cuts"]) - len(cuts_elsewhere),
        "cut elsewhere": len(cuts_elsewhere),
        "refused while down (resent elsewhere)": counts.get("refused while down", 0),
        "409 refusals": refusals,
        "web resume s": round(web_resume_s, 2),
        "worker resume s": round(worker_resume_s, 2),
        "drain s": round(drain_s, 1),
        "orders": ledger["orders"],
        "overspent bots": len(ledger["overspent"]),
        "orders not final": ledger["not_final"],
        "positions mid-close": ledger["mid_close"],
        "signals": signals["statuses"],
        "signal rejections": signals["rejected_reasons"],
        "signals executed twice": signals["dup_order_keys"] + signals["signals_with_two_opens"],
        "jobs": jobs["jobs"],
        "jobs executed twice": jobs["executed_twice"],
        "jobs never executed": jobs["never_executed"],
        "jobs cut with the killed worker": jobs["cut_with_killed_consumer"],
        "periodic runs": {task.rsplit(".", 1)[-1]: len(r) for task, r in periodic["runs"].items()},
        "periodic copies skipped": periodic_skips,
        "periodic consumers": len(periodic["consumers"]),
        "price steps / allowed": f"{periodic['price_steps']}/{periodic['price_steps_allowed']}",
        "jobs still queued at stop (in Redis)": (
            f"{jobs['still_queued_at_stop']} ({jobs['in_redis_at_stop']})"
        ),
        "JSON log lines (with request id, with client order id)": (
            f"{log_lines['json']} ({log_lines['with request id']}, "
            f"{log_lines['with client order id']})"
        ),
        "metrics of web-b": {k.removeprefix("egis_"): int(v) for k, v in metrics.items()},
        "load avg 1m (mean/max)": f"{sum(load_avg) / len(load_avg):.1f}/{max(load_avg):.1f}",
        "seconds": round(elapsed, 1),
    }
    return [
        result(
            "scale-check [PostgreSQL + Redis, 2 web + 2 workers, 1 of each killed]",
            figures=figures,
            unit="orders/s, ms, counts",
            target="0 overspend, all final, 0 5xx, 0 wrong answers, periodic once per period, "
            "jobs and signals exactly once",
            passed=not failed,
            note="failed: " + ", ".join(failed) if failed else "",
        )
    ]
