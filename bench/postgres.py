"""`make bench-postgres`: benchmarks 1, 4 and 5 against a throwaway PostgreSQL cluster.

Installs Debian's `postgresql` package if no server binaries are found, initdb's a cluster in a
temporary folder (trust auth, listening on 127.0.0.1 only, on a free port), runs the benchmarks
with DATABASE_URL pointing at fresh databases in it, then stops the cluster and deletes the
folder, whatever happened. Runs as root too: the server then runs as the `postgres` user.
"""

from __future__ import annotations

import argparse
import glob
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run_all
from common import free_port


def _bin_dir() -> Path:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return Path(found[-1]).parent
    print("PostgreSQL server binaries not found: installing Debian's postgresql package ...")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-q"], check=True, env=env)
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"],
        check=True,
        env=env,
    )
    return _bin_dir()


def _as_server_user(folder: Path) -> list[str]:
    """initdb refuses to run as root: run the server as `postgres` and give it the folder."""
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        user = pwd.getpwnam("postgres")
    os.chown(folder, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


@contextmanager
def throwaway_cluster(port: int | None = None) -> Iterator[str]:
    """A fresh cluster on 127.0.0.1 (trust auth) for the `with` block; yields its admin URL.
    Stopped and its folder deleted afterwards, whatever happened."""
    bin_dir = _bin_dir()
    folder = Path(tempfile.mkdtemp(prefix="egis-pg-"))
    folder.chmod(0o755)
    as_user = _as_server_user(folder)
    data = folder / "data"
    port = port or free_port("EGIS_BENCH_PG_PORTS")
    pg_ctl = [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data)]
    started = False
    try:
        subprocess.run(
            [
                *as_user,
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-U",
                "egis",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c max_connections=200 "
            "-c shared_buffers=256MB"
        )
        subprocess.run(
            [*pg_ctl, "-l", str(folder / "server.log"), "-o", options, "-w", "start"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = True
        version = subprocess.run(
            [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True
        ).stdout.strip()
        print(f"{version}: throwaway cluster on 127.0.0.1:{port} in {folder}")
        yield f"postgresql://egis@127.0.0.1:{port}/postgres"
    finally:
        if started:
            subprocess.run([*pg_ctl, "-m", "fast", "-w", "stop"], stdout=subprocess.DEVNULL)
            time.sleep(0.2)
        shutil.rmtree(folder, ignore_errors=True)
        print(f"cluster stopped and {folder} removed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="1,4,5", help="which benchmarks, e.g. 5")
    args = parser.parse_args(argv)
    with throwaway_cluster() as url:
        return run_all.main(["--only", args.only, "--postgres", url])


if __name__ == "__main__":
    sys.exit(main())
