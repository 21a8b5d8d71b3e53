"""A real PostgreSQL server from the binaries that the ``pgserver`` package ships.

``pgserver.get_server`` listens on a unix socket only; we drive the same binaries
ourselves so that the server listens on 127.0.0.1 at a port of our choosing.
"""

import functools
import os
import platform
import shutil
import stat
import subprocess
import warnings
from pathlib import Path

import psycopg

from .state import Secrets, data_dir, port

with warnings.catch_warnings():
    # pgserver asks platformdirs for a runtime folder at import time, which warns
    # when XDG_RUNTIME_DIR is unset (CI, containers); we do not use that folder.
    warnings.simplefilter("ignore")
    from pgserver._commands import POSTGRES_BIN_PATH
    from pgserver.utils import ensure_prefix_permissions, ensure_user_exists

DATABASE_NAME = "documents"
SYSTEM_USER = "pgserver"  # PostgreSQL refuses to run as root.


def pgdata() -> Path:
    return data_dir() / "postgres"


NAME = "postgres"


def database_url(secrets: Secrets, database: str = DATABASE_NAME) -> str:
    address = f"127.0.0.1:{port('POSTGRES', 55432)}"
    return f"postgres://postgres:{secrets.postgres_password}@{address}/{database}"


def is_running() -> bool:
    result = _pg_ctl("status", check=False)
    return result.returncode == 0


def start(secrets: Secrets) -> None:
    folder = pgdata()
    folder.mkdir(parents=True, exist_ok=True)
    if _system_user():
        _hand_over_to_system_user(folder)

    if not (folder / "PG_VERSION").exists():
        _initialise(folder, secrets)

    options = f"-c listen_addresses=127.0.0.1 -p {port('POSTGRES', 55432)} -k ''"
    _pg_ctl("start", "-w", "-t", "60", "-l", folder / "server.log", "-o", options)
    _create_database(secrets)


def _initialise(folder: Path, secrets: Secrets) -> None:
    password_file = folder.parent / "postgres-initial-password"
    password_file.touch(mode=0o600)
    password_file.write_text(secrets.postgres_password)
    if _system_user():
        shutil.chown(password_file, _system_user(), _system_user())
    try:
        _run(
            [
                POSTGRES_BIN_PATH / "initdb",
                f"--pgdata={folder}",
                "--username=postgres",
                f"--pwfile={password_file}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
            ],
            _system_user(),
        )
    finally:
        password_file.unlink()


def stop() -> None:
    _pg_ctl("stop", "-w", "-m", "fast", check=False)


def _create_database(secrets: Secrets) -> None:
    admin_url = database_url(secrets, database="postgres")
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _pg_ctl(*args, check: bool = True) -> subprocess.CompletedProcess:
    command = [POSTGRES_BIN_PATH / "pg_ctl", "-D", pgdata(), *args]
    return _run(command, _system_user(), check=check)


def _run(command, user, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [str(part) for part in command], user=user, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr}"
        )
    return result


@functools.cache
def _system_user() -> str | None:
    """Return the unprivileged user to run the server as when we are root.

    The user is created on first need: a fresh machine has none, and even
    asking pg_ctl whether a server runs must happen as that user.
    """
    if platform.system() == "Windows" or os.geteuid() != 0:
        return None
    ensure_user_exists(SYSTEM_USER)
    return SYSTEM_USER


def _hand_over_to_system_user(folder: Path) -> None:
    entry = ensure_user_exists(SYSTEM_USER)
    ensure_prefix_permissions(folder)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    os.chown(folder, entry.pw_uid, entry.pw_gid)
    folder.chmod(stat.S_IRWXU)
