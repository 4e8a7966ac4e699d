"""deploy/: the compose file, the Caddyfiles and the systemd units are generated from ONE process
list (deploy/processes.toml), and `make scale-check` starts the same commands. A file edited by
hand, or a list changed without regenerating, fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from deploy import processes

ROOT = Path(__file__).resolve().parent.parent


def test_every_generated_file_matches_the_process_list():
    stale = [
        str(path.relative_to(ROOT))
        for path, text in processes.generated().items()
        if not path.exists() or path.read_text() != text
    ]
    assert stale == [], "run `make deploy-files` and commit the result"


def test_compose_runs_the_listed_commands_and_counts():
    spec = processes.load()
    compose = (ROOT / "deploy" / "compose.yaml").read_text()
    for name in ("web", "worker", "migrate"):
        argv = processes.command(name, bind="0.0.0.0")  # noqa: S104 (inside a container)
        assert '"' + '", "'.join(argv) + '"' in compose, name
    replicas = re.findall(r"deploy: \{replicas: (\d+)\}", compose)
    assert replicas == [str(spec["web"]["instances"]), str(spec["worker"]["instances"])]
    for service in ("postgres:", "redis:", "proxy:", "web:", "worker:", "migrate:"):
        assert f"\n  {service}\n" in compose


def test_units_run_the_listed_commands():
    web = (ROOT / "deploy" / "systemd" / "egis-web@.service").read_text()
    worker = (ROOT / "deploy" / "systemd" / "egis-worker@.service").read_text()
    web_argv = processes.command("web", bind="${EGIS_WEB_BIND}", port="%i")
    assert "ExecStart=/opt/egis/.venv/bin/" + " ".join(web_argv) in web
    worker_argv = processes.command("worker")[1:]
    assert "ExecStart=/opt/egis/.venv/bin/python " + " ".join(worker_argv) in worker
    assert "KillSignal=SIGINT" in worker and "Restart=always" in web


def test_a_changed_list_is_caught(tmp_path, monkeypatch):
    # The check is not vacuous: another worker count makes the committed files stale.
    changed = processes.LIST.read_text().replace("workers = 4", "workers = 5")
    assert changed != processes.LIST.read_text()
    copy = tmp_path / "processes.toml"
    copy.write_text(changed)
    monkeypatch.setattr(processes, "LIST", copy)
    assert processes.main(["--check"]) == 1


def test_scale_check_starts_the_listed_processes():
    source = (ROOT / "bench" / "scale.py").read_text()
    assert "from deploy import processes" in source
    for name in ("web", "worker", "migrate"):
        assert f'processes.command("{name}"' in source
    assert "run_huey" not in source and 'gunicorn"' not in source


def test_the_list_parses_and_names_every_part():
    spec = tomllib.loads(processes.LIST.read_text())
    assert {"web", "worker", "migrate", "proxy", "postgres", "redis", "environment"} <= set(spec)
    assert spec["environment"]["EGIS_REDIS_URL"].startswith("redis://")
