"""Start, stop or wrap a command with the embedded services.

    python -m devservices run -- COMMAND...   start what is missing, run, stop it
    python -m devservices start | stop | status
    python -m devservices env                 shell exports for the running services

A service is embedded only when the environment names none of its own (or
names the embedded one, as after ``eval "$(python -m devservices env)"``):
PostgreSQL when DATABASE_URL is unset, SeaweedFS when DOCUMENTS_BUCKET is unset.
"""

import argparse
import contextlib
import os
import shlex
import signal
import subprocess
import sys

import psutil

from . import postgres, seaweedfs
from .state import Secrets


def wanted_services(secrets: Secrets) -> list:
    services = []
    if os.environ.get("DATABASE_URL", "") in ("", postgres.database_url(secrets)):
        services.append(postgres)
    if not os.environ.get("DOCUMENTS_BUCKET") or (
        os.environ.get("DOCUMENTS_S3_ENDPOINT_URL") == seaweedfs.endpoint_url()
    ):
        services.append(seaweedfs)
    return services


def environment(secrets: Secrets) -> dict[str, str]:
    """Settings that point the app at the embedded services."""
    env = {
        "DJANGO_SECRET_KEY": secrets.django_secret_key,
        "DEMO_ADMIN_PASSWORD": secrets.demo_admin_password,
    }
    wanted = wanted_services(secrets)
    if postgres in wanted:
        env["DATABASE_URL"] = postgres.database_url(secrets)
    if seaweedfs in wanted:
        env |= {
            "DOCUMENTS_STORAGE_BACKEND": "s3",
            "DOCUMENTS_BUCKET": seaweedfs.BUCKET,
            "DOCUMENTS_S3_ENDPOINT_URL": seaweedfs.endpoint_url(),
            "DOCUMENTS_S3_REGION": "us-east-1",
            "DOCUMENTS_S3_ACCESS_KEY_ID": secrets.s3_access_key,
            "DOCUMENTS_S3_SECRET_ACCESS_KEY": secrets.s3_secret_key,
        }
    return {name: value for name, value in env.items() if name not in os.environ}


def start(secrets: Secrets) -> list:
    """Start the wanted services that are not running; return those started."""
    started = []
    for service in wanted_services(secrets):
        if service.is_running():
            continue
        service.start(secrets)
        started.append(service)
        print(f"devservices: started {service.NAME}")
    return started


def stop(services: list) -> None:
    for service in services:
        service.stop()
        print(f"devservices: stopped {service.NAME}")


def run(command: list[str], secrets: Secrets) -> int:
    started = start(secrets)
    process = None
    try:
        process = subprocess.Popen(command, env=os.environ | environment(secrets))
        return process.wait()
    except KeyboardInterrupt:
        return 130
    finally:
        if process is not None:
            end_process_tree(process.pid)
        stop(started)


def end_process_tree(pid: int) -> None:
    """End the command and whatever it started (runserver's reloader has a child).

    On Ctrl-C the whole tree got the signal from the terminal already; on SIGTERM
    from CI or a process manager, only we did.
    """
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.terminate()
    _, alive = psutil.wait_procs(tree, timeout=20)
    for process in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m devservices")
    parser.add_argument("action", choices=["run", "start", "stop", "status", "env"])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.action == "run" and not command:
        parser.error("run needs a command after --")

    # CI and process managers stop us with SIGTERM: clean up as for Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    secrets = Secrets.load_or_create()

    if args.action == "run":
        return run(command, secrets)
    if args.action == "start":
        start(secrets)
    elif args.action == "stop":
        stop(wanted_services(secrets))
    elif args.action == "status":
        for service in wanted_services(secrets):
            state = "running" if service.is_running() else "stopped"
            print(f"{service.NAME}: {state}")
    elif args.action == "env":
        for name, value in environment(secrets).items():
            print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
