"""The security baseline: Django's deployment checks pass for the production settings."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_check_deploy_is_clean_for_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "egis.settings",
        "EGIS_DATA_DIR": str(tmp_path),
        "EGIS_HTTPS": "1",
        "EGIS_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "EGIS_ALLOWED_HOSTS": "egis.example.com",
    }
    # The browser tests set this for their live server; a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    run = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout


def test_security_headers_on_a_page(client):
    response = client.get("/login")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_private_answers_are_never_cached(client, bob):
    assert "no-store" not in client.get("/login").get("Cache-Control", "")
    client.force_login(bob)
    assert "no-store" in client.get("/")["Cache-Control"]
    assert "no-store" in client.get("/api/v1/bots")["Cache-Control"]


def test_token_answers_are_never_cached(client, bob):
    from egis.accounts.tokens import token_create

    _, raw = token_create(user=bob, name="t")
    response = client.get("/api/v1/bots", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
