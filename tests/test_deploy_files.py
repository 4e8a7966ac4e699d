"""deploy/: the compose file, the Caddyfiles and the systemd units are generated from ONE process
list (deploy/processes.toml), and `make scale-check` starts the same commands. A file edited by
hand, or a list changed without regenerating, fails here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

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


@pytest.mark.skipif(shutil.which("caddy") is None, reason="Caddy is not installed here")
@pytest.mark.parametrize("caddyfile", ["Caddyfile", "systemd/Caddyfile"])
def test_the_caddyfiles_are_valid_for_caddy(caddyfile):
    run = subprocess.run(
        [
            "caddy",
            "validate",
            "--config",
            str(ROOT / "deploy" / caddyfile),
            "--adapter",
            "caddyfile",
        ],
        env={**os.environ, "EGIS_DOMAIN": "egis.example.com"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "Valid configuration" in run.stdout + run.stderr, run.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_units_pass_systemd_analyze(tmp_path):
    units = []
    for name, instance in [("egis-web@", "8000"), ("egis-worker@", "1"), ("egis-migrate", "")]:
        text = (ROOT / "deploy" / "systemd" / f"{name}.service").read_text()
        unit = tmp_path / f"{name}{instance}.service"
        unit.write_text(text)
        units.append(str(unit))
    run = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )
    # The one complaint allowed: the install folder does not exist on this machine.
    complaints = [
        line
        for line in (run.stdout + run.stderr).splitlines()
        if line.strip() and "/opt/egis/.venv/bin/" not in line
    ]
    assert complaints == []
