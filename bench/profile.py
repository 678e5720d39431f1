"""Where a page's time goes: pyinstrument over many requests of one URL, in process.

    python -m bench.profile [--path /courses/…] [--requests 500] [--html]

Runs against the benchmark database (seed it first with `make bench-quick` or
`python -m bench.seed`) as a signed-in learner, through the whole Flask stack (hooks,
session, template, compression), without gunicorn or the network. Writes the profile to
bench/.work/profile.txt (and .html with --html).
"""

from __future__ import annotations

import argparse
import time

from bench.seed import FIRST_LEARNER_ID, bench_app, choose_database
from bench.sessions import sign_in
from bench.settings import USER_AGENT, WORK

DEFAULT_PATH = "/courses/kursus-bench-01/modul-1/pelajaran-2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", default=DEFAULT_PATH)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--html", action="store_true")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    from pyinstrument import Profiler

    url, note = choose_database(args.database_url)
    print(note)
    import os

    # As gunicorn in the benchmark: the signed-in user from Redis when REDIS_URL is set.
    app = bench_app(url, REDIS_URL=os.environ.get("REDIS_URL", ""))
    who = sign_in(app, [FIRST_LEARNER_ID + 11])[0]
    client = app.test_client()
    client.set_cookie("session", who.cookie)
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}
    env = {"REMOTE_ADDR": "127.0.0.1"}
    for _ in range(20):  # warm up: first opening, template compilation, connection pool
        assert client.get(args.path, headers=headers, environ_base=env).status_code == 200
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for _ in range(args.requests):
            client.get(args.path, headers=headers, environ_base=env)
    seconds = time.perf_counter() - started
    print(f"{args.requests} requests of {args.path}: {1000 * seconds / args.requests:.2f} ms "
          "each (with the profiler's overhead)")
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "profile.txt").write_text(profiler.output_text(unicode=True, show_all=False))
    if args.html:
        (WORK / "profile.html").write_text(profiler.output_html())
    print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
