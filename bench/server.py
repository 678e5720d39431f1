"""gunicorn on loopback with the production options of the README, started and always stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.client import HOST, Client
from bench.settings import BENCH_SECRET_KEY, HELLO_PATH, ROOT, WORK

# README "Running for real": gunicorn --workers 4 --timeout 300 --bind 127.0.0.1:8000 …
# (tests/test_bench.py checks that the two say the same). Only the port differs here, and the
# access log goes to a file instead of the terminal.
PRODUCTION_OPTIONS = ["--workers", "4", "--timeout", "300"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def redis_url() -> str | None:
    """Production keeps rate limits in Redis; use the local one when it answers."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return url
    except Exception:  # noqa: BLE001 - unreachable Redis: in-memory limits, as in a trial
        return None


def _forget_cached_users(url: str) -> None:
    """Delete what an earlier run cached of users and sessions: the database may have been
    seeded again since. Deleted, not tombstoned (user_cache.forget_everyone): no server runs
    yet, so no reader can put an old row back, and a tombstone would send every signed-in
    request of the first 30 s of measurement to the database."""
    import redis

    from app.services import user_cache

    client = redis.Redis.from_url(url)
    for prefix in (user_cache.PREFIX, user_cache.SESSION_PREFIX):
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    redis: str | None
    log_dir: Path

    def workers(self) -> list[int]:
        """The worker processes, children of the gunicorn master."""
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []


def _proc_kb(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


@dataclass
class MemorySampler:
    """Samples VmRSS of some processes every few milliseconds, keeping each one's peak."""

    pids: list[int]
    interval: float = 0.005
    baseline_kb: dict[int, int] = field(default_factory=dict)
    peak_kb: dict[int, int] = field(default_factory=dict)
    hwm_kb: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> MemorySampler:
        for pid in self.pids:
            self.baseline_kb[pid] = self.peak_kb[pid] = _proc_kb(pid, "VmRSS") or 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids:
                rss = _proc_kb(pid, "VmRSS")
                if rss and rss > self.peak_kb[pid]:
                    self.peak_kb[pid] = rss
            time.sleep(self.interval)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        for pid in self.pids:
            self.hwm_kb[pid] = _proc_kb(pid, "VmHWM") or 0

    def busiest(self) -> tuple[int, float, float]:
        """(pid, peak MB, growth MB) of the worker that grew most: the one that served."""
        pid = max(self.pids, key=lambda p: self.peak_kb[p] - self.baseline_kb[p])
        return (pid, self.peak_kb[pid] / 1024,
                (self.peak_kb[pid] - self.baseline_kb[pid]) / 1024)


def _control_socket(log_dir: Path) -> list[str]:
    """gunicorn ≥ 25 opens a control socket in ~/.gunicorn: keep the benchmark's its own."""
    from gunicorn.config import KNOWN_SETTINGS

    if any(s.name == "control_socket" for s in KNOWN_SETTINGS):
        return ["--control-socket", str(log_dir / "gunicorn.ctl")]
    return []


@contextmanager
def gunicorn(database_url: str, log=print, ready_timeout: float = 60) -> Iterator[Server]:
    """Start gunicorn serving bench.hello_app on a free loopback port; stop it on the way out."""
    port = free_port()
    log_dir = WORK / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_APP",)}
    env.update(DATABASE_URL=database_url, SECRET_KEY=BENCH_SECRET_KEY)
    redis = redis_url()
    if redis:
        env["REDIS_URL"] = redis
        _forget_cached_users(redis)  # the database was just seeded again
    else:
        env.pop("REDIS_URL", None)
    command = [
        sys.executable, "-m", "gunicorn", *PRODUCTION_OPTIONS,
        "--bind", f"{HOST}:{port}",
        "--access-logfile", str(log_dir / "access.log"),
        "--error-logfile", str(log_dir / "gunicorn.log"),
        "--chdir", str(ROOT),
        *_control_socket(log_dir),
        "bench.hello_app:app",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(port, process, redis, log_dir)
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {process.returncode}; see "
                                   f"{log_dir / 'gunicorn.log'}")
            try:
                if Client(port, timeout=2).get(HELLO_PATH).status == 200 and len(
                        server.workers()) == int(PRODUCTION_OPTIONS[1]):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer in time")
            time.sleep(0.2)
        log(f"gunicorn: pid {process.pid}, {len(server.workers())} workers on {HOST}:{port}"
            f", rate limits in {'Redis' if redis else 'memory'}")
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the master (it stops its workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only gunicorn's processes
        process.wait(timeout=5)
