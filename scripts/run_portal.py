"""Start the web server, a Celery worker and Celery beat together; Ctrl-C (or SIGTERM) stops all three.

Used by `make run`. Each process inherits the environment, so DATABASE_URL / REDIS_URL apply to all of them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ADDRESS = os.environ.get("PORTAL_ADDRESS", "127.0.0.1:8000")

COMMANDS = {
    "web": [PYTHON, "manage.py", "runserver", ADDRESS, "--noreload"],
    "worker": [PYTHON, "-m", "celery", "-A", "stadtwerk_portal", "worker", "--loglevel=INFO", "--concurrency=2"],
    "beat": [PYTHON, "-m", "celery", "-A", "stadtwerk_portal", "beat", "--loglevel=INFO"],
}


def main() -> int:
    """Run until one process exits or the user interrupts, then stop the others."""
    (ROOT / "var" / "celery" / "out").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "celery" / "processed").mkdir(parents=True, exist_ok=True)
    (ROOT / "var" / "celery" / "control").mkdir(parents=True, exist_ok=True)
    processes = {name: subprocess.Popen(command, cwd=ROOT) for name, command in COMMANDS.items()}
    print(f"Stadtwerk-Portal läuft auf http://{ADDRESS}/ (Strg+C beendet Webserver, Worker und Beat)", flush=True)
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} ended with exit code {process.returncode}; stopping the others.", flush=True)
                exit_code = process.returncode or 1
                stopping = True
                break
        time.sleep(0.5)
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
