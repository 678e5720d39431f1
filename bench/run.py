"""`make bench` / `make bench-quick`: seed, serve, measure every budget of PRODUCT §6, report.

    python -m bench.run [--quick] [--reuse-data] [--no-lighthouse] [--database-url URL]

Writes bench/results.json and prints each figure beside its budget. gunicorn listens on
127.0.0.1 only; every phase is bounded in time and everything it starts, it stops.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench import lighthouse, load, pyspy
from bench.browser import page_weight
from bench.client import Client, download
from bench.seed import (
    EMAIL_DOMAIN,
    FIRST_LEARNER_ID,
    bench_app,
    choose_database,
    seed,
    write_course,
)
from bench.server import MemorySampler, gunicorn
from bench.sessions import sign_in
from bench.settings import (
    API_ENDPOINTS,
    BENCH_SECRET_KEY,
    BUDGETS,
    FULL,
    HELLO_PATH,
    LIGHTHOUSE_BUDGETS,
    PASSWORD,
    QUICK,
    REPORT_ENDPOINTS,
    RESULTS,
    ROOT,
    SIGNED_IN_HELLO_PATH,
    WORK,
    Scale,
)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {"nproc": os.cpu_count(), "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "cpu": cpu, "python": platform.python_version(), "kernel": platform.release()}


def _seed_fingerprint(url: str, scale: Scale) -> str:
    """Changes whenever the seed code, the migrations or the scale do."""
    h = hashlib.sha256(f"{url}|{scale}".encode())
    for path in sorted([ROOT / "bench" / "seed.py", *(ROOT / "migrations" / "versions").glob(
            "*.py")]):
        h.update(path.read_bytes())
    return h.hexdigest()


def prepare_data(url: str, scale: Scale, reuse: bool) -> dict:
    marker = WORK / "seeded.json"
    fingerprint = _seed_fingerprint(url, scale)
    if reuse and marker.exists():
        saved = json.loads(marker.read_text())
        if saved.get("fingerprint") == fingerprint:
            log("reusing the data seeded earlier (--reuse-data)")
            return saved["counts"]
    marker.unlink(missing_ok=True)
    info = seed(url, scale, log=log)
    marker.write_text(json.dumps({"fingerprint": fingerprint, "counts": info.counts}))
    return {**info.counts, "seconds": round(info.seconds, 1)}


# ---------------------------------------------------------------- the measurements

def measure_import(url: str, scale: Scale) -> dict:
    """`flask courses import` of a new course with 200 lessons, end to end as a trainer runs
    it: a new process each time (Python and the app start up, read, check, render and sanitise
    every lesson, write, commit), first the import, then the re-import of the same folder."""
    import random
    import subprocess

    slug = f"impor-{scale.import_lessons}-{int(time.time())}"
    modules = 10
    shutil.rmtree(WORK / "import", ignore_errors=True)
    folder = write_course(WORK / "import" / slug, f"Impor {scale.import_lessons} pelajaran",
                          modules=modules, lessons_per_module=scale.import_lessons // modules,
                          rng=random.Random(slug), quiz_in_every_module=True)
    lessons = sum(1 for p in folder.glob("*/*.md") if p.name != "module.md")
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(FLASK_APP="wsgi", DATABASE_URL=url, SECRET_KEY=BENCH_SECRET_KEY,
               COURSES_DIR=str(WORK / "courses"))
    flask = [sys.executable, "-m", "flask"]
    # Byte-compiled first, as `pip install .` leaves a deployed copy: this checkout is an
    # editable install, and where PYTHONDONTWRITEBYTECODE is set every run would otherwise
    # compile each of the app's modules again (about 0.3 s of start-up on a slow machine).
    subprocess.run([sys.executable, "-m", "compileall", "-q", "app", "wsgi.py"], cwd=ROOT,
                   capture_output=True, timeout=120, check=True)
    timings = {}
    for name in ("first_import", "reimport"):
        started = time.perf_counter()
        done = subprocess.run([*flask, "courses", "import", str(folder)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        timings[name] = round(time.perf_counter() - started, 3)
        if done.returncode != 0:
            raise RuntimeError(f"{name} failed: {(done.stdout + done.stderr).strip()[-300:]}")
        output = done.stdout.strip()
    # What start-up alone costs: the same command asking only for its help.
    started = time.perf_counter()
    subprocess.run([*flask, "courses", "import", "--help"], cwd=ROOT, env=env,
                   capture_output=True, timeout=120, check=True)
    timings["start_up_only"] = round(time.perf_counter() - started, 3)
    return {"seconds": max(timings["first_import"], timings["reimport"]), **timings,
            "files": lessons, "reading_lessons": scale.import_lessons, "quizzes": modules,
            "output": output}


def measure_throughput(port: int, app, catalogue: load.Catalogue, scale: Scale,
                       workers: list[int], profile: bool) -> dict:
    """The lesson page against the bare hello view: same server, same client, same run.
    The signed-in hello (a view that only loads the user) shows the floor of any page
    behind the login."""
    readers = sign_in(app, [FIRST_LEARNER_ID + 1 + n * 7 for n in range(scale.throughput_threads)])
    course_ids = list(catalogue.courses)
    lesson_paths = []
    for n, _who in enumerate(readers):
        course = catalogue.courses[course_ids[n % len(course_ids)]]
        lesson_paths.append([s.url for s in course.steps if not s.is_quiz])
    threads = scale.throughput_threads
    cookies = [r.cookie for r in readers]
    legs = {
        "hello": ([[HELLO_PATH]] * threads, [None] * threads),
        "signed_in_hello": ([[SIGNED_IN_HELLO_PATH]] * threads, cookies),
        "lesson": (lesson_paths, cookies),
    }
    api = api_legs(app, readers, catalogue, course_ids)
    legs.update(api)
    # Short alternating rounds, so a burst of outside load hits every leg alike; the ratio
    # is the median of the rounds' ratios.
    seconds = scale.throughput_seconds / scale.throughput_rounds
    rounds = [{name: load.throughput(port, paths, who, seconds)
               for name, (paths, who) in legs.items()} for _ in range(scale.throughput_rounds)]

    def ratio(leg: str) -> tuple[float | None, list[float]]:
        values = [r[leg].rps / r["hello"].rps for r in rounds if r["hello"].rps]
        return (round(statistics.median(values), 3) if values else None,
                [round(v, 3) for v in values])

    lesson_ratio, round_ratios = ratio("lesson")
    api_result = {f"{name}_vs_hello_ratio": ratio(name)[0] for name in api}
    result = {
        **api_result,
        "ratio": lesson_ratio,
        "round_ratios": round_ratios,
        "signed_in_hello_ratio": ratio("signed_in_hello")[0],
        **{name: load.Throughput.combine([r[name] for r in rounds]).as_dict() for name in legs},
        "client_threads": threads,
    }
    if profile:
        raw = WORK / "profile-lesson-worker.txt"
        spy = pyspy.record(workers[0], seconds=8, out=raw)
        load.throughput(port, lesson_paths, cookies, 10)
        spy.wait(timeout=60)
        result["py_spy"] = {**pyspy.summarise(raw), "raw": str(raw.relative_to(ROOT))}
    return result


def api_legs(app, readers, catalogue: load.Catalogue, course_ids: list[int]) -> dict:
    """Throughput legs for the API's lesson and course list (API_ENDPOINTS), each reader with
    a bearer token of its own."""
    from app.extensions import db
    from app.models import User
    from app.services.api_tokens import issue_token

    with app.app_context():
        tokens = []
        for who in readers:
            secret, _row = issue_token(db.session, db.session.get(User, who.user_id),
                                       label="bench")
            tokens.append({"Authorization": f"Bearer {secret}"})
        db.session.commit()
        db.session.remove()
    lesson_paths = []
    for n, _who in enumerate(readers):
        course = catalogue.courses[course_ids[n % len(course_ids)]]
        lesson_paths.append([API_ENDPOINTS["api_lesson"].format(lesson_id=s.lesson_id)
                             for s in course.steps if not s.is_quiz])
    return {"api_lesson": (lesson_paths, tokens),
            "api_courses": ([[API_ENDPOINTS["api_courses"]]] * len(readers), tokens)}


def measure_page_weight(port: int, catalogue: load.Catalogue) -> dict:
    course = next(iter(catalogue.courses.values()))
    lesson = [s for s in course.steps if not s.is_quiz][1]
    visits = page_weight(f"http://127.0.0.1:{port}", f"peserta00001@{EMAIL_DOMAIN}", PASSWORD,
                         lesson.url, course.outline_url)
    return {"lesson": lesson.url, **{k: v.as_dict() for k, v in visits.items()}}


def measure_report(port: int, admin_cookie: str, repeats: int) -> dict:
    path = REPORT_ENDPOINTS["report_page"]
    client = Client(port, admin_cookie)
    first = client.get(path)
    if first.status != 200:
        raise RuntimeError(f"{path} answered HTTP {first.status}")
    times = [client.get(path).seconds for _ in range(repeats)]
    client.close()
    return {"path": path, "first_ms": round(first.seconds * 1000, 1),
            "p50_ms": round(statistics.median(times) * 1000, 1),
            "max_ms": round(max(times) * 1000, 1), "runs": repeats,
            "kb": round(first.wire_bytes / 1024, 1)}


def measure_csv(port: int, admin_cookie: str, workers: list[int]) -> dict:
    path = REPORT_ENDPOINTS["csv_export"]
    with MemorySampler(workers) as memory:
        got = download(port, path, admin_cookie)
    if got.status != 200 or not got.headers.get("content-type", "").startswith("text/csv"):
        raise RuntimeError(f"{path}: HTTP {got.status}, {got.headers.get('content-type')}")
    pid, peak_mb, growth_mb = memory.busiest()
    return {"path": path, "seconds": round(got.seconds, 2),
            "first_byte_s": round(got.first_byte_seconds, 3), "rows": max(0, got.lines - 1),
            "mb_sent": round(got.wire_bytes / 1e6, 2), "mb_csv": round(got.body_bytes / 1e6, 2),
            "encoding": got.headers.get("content-encoding", "identity"),
            "streamed": "content-length" not in got.headers,
            "worker_pid": pid, "peak_mb": round(peak_mb, 1), "growth_mb": round(growth_mb, 1),
            "worker_vmhwm_mb": round(memory.hwm_kb.get(pid, 0) / 1024, 1)}


def measure_lighthouse(port: int, app, catalogue: load.Catalogue) -> dict:
    reason = lighthouse.ensure_installed(log)
    if reason:
        return {"error": reason}
    who = sign_in(app, [FIRST_LEARNER_ID + 3])[0]
    course = next(iter(catalogue.courses.values()))
    lesson = [s for s in course.steps if not s.is_quiz][0]
    quiz = next(s for s in course.steps if s.is_quiz)
    client = Client(port, who.cookie, who.csrf)
    started = client.post(quiz.url + "/attempts", form={"csrf_token": who.csrf})
    client.close()
    if started.status != 303:
        return {"error": f"could not start a quiz attempt (HTTP {started.status})"}
    pages = {"catalog": "/", "course": course.outline_url, "lesson": lesson.url,
             "quiz": started.location.replace(f"http://127.0.0.1:{port}", "")}
    scores = {}
    for name, path in pages.items():
        log(f"lighthouse: {name} ({path})")
        scores[name] = lighthouse.audit(f"http://127.0.0.1:{port}{path}", who.cookie, name)
    return scores


# ---------------------------------------------------------------- the run

def run(scale: Scale, database_url: str | None, reuse: bool, with_lighthouse: bool,
        profile: bool = False) -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    url, note = choose_database(database_url)
    log(note)
    started = time.perf_counter()
    out = _new_record(scale, url, note)
    details = out["details"]
    details["seed"] = prepare_data(url, scale, reuse)

    imported = _phase(out, "import of a 200-lesson course", lambda: measure_import(url, scale))
    if imported:
        details["import"] = imported
        out["import_200_s"] = imported["seconds"]

    app = bench_app(url)
    learner_ids = [FIRST_LEARNER_ID + (n * scale.learners) // scale.load_learners
                   for n in range(scale.load_learners)]
    catalogue = load.read_catalogue(app, learner_ids)

    with gunicorn(url, log=log) as server:
        details["server"] = {"redis": bool(server.redis), "workers": len(server.workers())}
        _measure_pages(out, server, app, catalogue, scale, profile)
        _measure_reports(out, server, app, scale)
        _measure_learners(out, server, app, catalogue, scale, learner_ids)
        _measure_lighthouse(out, server, app, catalogue, scale, with_lighthouse)

    with app.app_context():
        from app.extensions import db

        db.engine.dispose()
    out["load_average_at_end"] = list(os.getloadavg())
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def _new_record(scale: Scale, url: str, note: str) -> dict:
    """bench/results.json before any measurement: every budgeted key None, the conditions."""
    out: dict = {key: None for key in (
        "lesson_vs_hello_ratio", "first_visit_kb", "repeat_visit_kb", "report_page_ms",
        "csv_export_s", "csv_export_peak_mb", "import_200_s", "load_errors", "load_p95_ms")}
    out["db"] = url.split(":", 1)[0].split("+")[0]
    out["lighthouse"] = None
    out["mode"] = scale.name
    out["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    out["machine"] = machine()
    out["load_average_at_start"] = list(os.getloadavg())
    out["database_note"] = note
    out["not_available"] = {}
    out["failures"] = {}
    out["details"] = {}
    return out


def _phase(out: dict, name: str, action):
    """action(), or None with the error in out["failures"]: one broken phase must not hide
    the others."""
    log(f"{name} …")
    try:
        return action()
    except Exception as error:  # noqa: BLE001 - one broken phase must not hide the others
        out["failures"][name] = f"{type(error).__name__}: {error}"
        log(f"{name} FAILED: {error}")
        traceback.print_exc(file=sys.stderr)
        return None


def _measure_pages(out: dict, server, app, catalogue: load.Catalogue, scale: Scale,
                   profile: bool) -> None:
    got = _phase(out, "throughput: lesson page vs hello", lambda: measure_throughput(
        server.port, app, catalogue, scale, server.workers(), profile))
    if got:
        out["details"]["throughput"] = got
        out["lesson_vs_hello_ratio"] = got["ratio"]

    got = _phase(out, "page weight in Chromium", lambda: measure_page_weight(server.port,
                                                                             catalogue))
    if got:
        out["details"]["page_weight"] = got
        out["first_visit_kb"] = got["first_visit"]["kb"]
        out["repeat_visit_kb"] = got["repeat_visit"]["kb"]


def _measure_reports(out: dict, server, app, scale: Scale) -> None:
    admin = sign_in(app, [1])[0]
    got = _phase(out, "report page", lambda: measure_report(server.port, admin.cookie,
                                                            scale.report_repeats))
    if got:
        out["details"]["report_page"] = got
        out["report_page_ms"] = got["p50_ms"]

    got = _phase(out, "CSV export", lambda: measure_csv(server.port, admin.cookie,
                                                        server.workers()))
    if got:
        out["details"]["csv_export"] = got
        out["csv_export_s"] = got["seconds"]
        out["csv_export_peak_mb"] = got["peak_mb"]


def _measure_learners(out: dict, server, app, catalogue: load.Catalogue, scale: Scale,
                      learner_ids: list[int]) -> None:
    def learners():
        log(f"signing in {len(learner_ids)} simulated learners")
        signed = sign_in(app, learner_ids)
        log(f"{len(signed)} learners for {scale.load_seconds:.0f} s")
        return load.simulate_learners(server.port, signed, catalogue,
                                      scale.load_seconds).as_dict()

    got = _phase(out, "simulated learners", learners)
    if got:
        out["details"]["load"] = got
        out["load_errors"] = got["errors"]
        out["load_p95_ms"] = got["p95_ms"]


def _measure_lighthouse(out: dict, server, app, catalogue: load.Catalogue, scale: Scale,
                        with_lighthouse: bool) -> None:
    if not with_lighthouse:
        out["not_available"]["lighthouse"] = ("skipped (quick run)" if not scale.lighthouse
                                             else "skipped (--no-lighthouse)")
        return
    got = _phase(out, "lighthouse", lambda: measure_lighthouse(server.port, app, catalogue))
    if got and "error" not in got:
        out["lighthouse"] = got
    else:
        out["not_available"]["lighthouse"] = (got or {}).get("error") or out[
            "failures"].get("lighthouse", "failed")


# ---------------------------------------------------------------- the table

def _verdict(key: str, value) -> str:
    budget = BUDGETS.get(key)
    if value is None or budget is None:
        return ""
    op, limit = budget
    good = value <= limit if op == "<=" else value >= limit
    return "ok" if good else "MISSED"


def table(out: dict) -> str:
    d = out["details"]
    rows = [("measure", "result", "budget", "")]

    def add(label: str, key: str, value=None, budget: str | None = None, unit: str = ""):
        value = out.get(key) if value is None else value
        op_limit = BUDGETS.get(key)
        shown_budget = budget or (f"{op_limit[0].replace('<=', '≤').replace('>=', '≥')} "
                                  f"{op_limit[1]}{unit}" if op_limit else "")
        if value is None:
            reason = out["not_available"].get(key) or "failed"
            rows.append((label, "–", shown_budget, reason))
            return
        rows.append((label, f"{value}{unit}", shown_budget, _verdict(key, value)))

    t = d.get("throughput")
    extra = (f" (lesson {t['lesson']['rps']} vs hello {t['hello']['rps']} req/s; signed-in "
             f"hello alone {t['signed_in_hello_ratio']})" if t else "")
    add("lesson / hello throughput" + extra, "lesson_vs_hello_ratio")
    for name in ("api_lesson", "api_courses"):
        if t and t.get(f"{name}_vs_hello_ratio") is not None:
            rows.append((f"{name.replace('_', ' ')} / hello throughput ({t[name]['rps']} req/s)",
                         t[f"{name}_vs_hello_ratio"], "", ""))
    add("first visit, lesson page", "first_visit_kb", unit=" KB")
    add("repeat visit, lesson page", "repeat_visit_kb", unit=" KB")
    add("report page, whole tree (p50)", "report_page_ms", unit=" ms")
    add("CSV export, whole tree", "csv_export_s", unit=" s")
    csv = d.get("csv_export") or {}
    if csv:
        rows.append(("CSV export: worker peak RSS (growth)",
                     f"{csv['peak_mb']} MB (+{csv['growth_mb']} MB)",
                     f"flat: ≤ +{BUDGETS['csv_export_growth_mb'][1]} MB",
                     _verdict("csv_export_growth_mb", csv["growth_mb"])))
    else:
        add("CSV export: worker peak memory", "csv_export_peak_mb", budget="flat")
    imp = d.get("import")
    add("import of a 200-lesson course, new process" + (
        f" (first {imp['first_import']} s, re-import {imp['reimport']} s, start-up alone "
        f"{imp['start_up_only']} s)" if imp else ""), "import_200_s", unit=" s")
    lo = d.get("load")
    label = (f"{lo['learners']} learners, {lo['requests']} requests: errors" if lo
             else "simulated learners: errors")
    add(label, "load_errors")
    add("simulated learners: p95" + (f" (p50 {lo['p50_ms']}, p99 {lo['p99_ms']} ms)"
                                     if lo else ""), "load_p95_ms", unit=" ms")
    if lo and lo.get("max_p95_ms_in_a_10s_window") is not None:
        rows.append(("simulated learners: worst 10-s window p95",
                     f"{lo['max_p95_ms_in_a_10s_window']} ms", "≤ 200 ms",
                     _verdict("load_p95_ms", lo["max_p95_ms_in_a_10s_window"])))
        rows.append(("load generator's own CPU (asyncio, one process)",
                     f"{lo['generator_cpu_percent_of_one_core']} % of one core", "", ""))
    lh = out.get("lighthouse")
    want = "/".join(str(v) for v in LIGHTHOUSE_BUDGETS.values())
    if lh:
        for name, s in lh.items():
            got = f"{s['performance']}/{s['accessibility']}/{s['best-practices']}"
            rows.append((f"lighthouse {name} (perf/a11y/bp)", got, f"≥ {want}",
                         "ok" if lighthouse.meets_budget(s) else "MISSED"))
    else:
        rows.append(("lighthouse (perf/a11y/bp)", "–", f"≥ {want}",
                     out["not_available"].get("lighthouse", "")))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure Lentera against PRODUCT §6.")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK.learners:,} learners, short load, no Lighthouse")
    parser.add_argument("--reuse-data", action="store_true",
                        help="keep the seeded database if it matches this code and scale")
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--profile", action="store_true",
                        help="sample a gunicorn worker with py-spy under lesson load "
                        "(always in the full run)")
    parser.add_argument("--database-url", default=None,
                        help="default: BENCH_DATABASE_URL or the local PostgreSQL 'bench'")
    parser.add_argument("--learners", type=int, default=None,
                        help=f"seed this many learners (default {FULL.learners:,}; "
                        f"{QUICK.learners:,} with --quick), e.g. 500000")
    args = parser.parse_args(argv)
    scale = QUICK if args.quick else FULL
    if args.learners:
        scale = dataclasses.replace(scale, learners=args.learners)
    out = run(scale, args.database_url, args.reuse_data,
              scale.lighthouse and not args.no_lighthouse, scale.profile or args.profile)
    RESULTS.write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print()
    print(f"Lentera benchmark ({scale.name}, {out['db']}, {out['machine']['nproc']} cores, "
          f"load average {out['load_average_at_start'][0]:.1f} at start), {out['seconds']} s:")
    print(table(out))
    print(f"\nAll figures and details: {RESULTS.relative_to(ROOT)}")
    if out["failures"]:
        print("Failed phases: " + "; ".join(f"{k}: {v}" for k, v in out["failures"].items()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
