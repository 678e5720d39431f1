"""What the benchmark measures against (PRODUCT §6), where, and at which scale."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"  # generated courses, logs, npm packages; git-ignored
RESULTS = ROOT / "bench" / "results.json"

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
SQLITE_FALLBACK = WORK / "bench.db"
BENCH_SECRET_KEY = "bench-only-not-secret-but-at-least-32-bytes"
# Every generated account shares this password (and one Argon2 hash of it).
PASSWORD = "bench-lentera-2026"
USER_AGENT = "lentera-bench/1"
# The bare view of bench/hello_app.py, the baseline of the lesson page's throughput.
HELLO_PATH = "/_bench/hello"
SIGNED_IN_HELLO_PATH = "/_bench/hello-signed-in"  # the same, after loading the signed-in user

# The supervisor report and its CSV export (issue 5). The admin sees the whole tree, so these
# are the report over all 50,000 learners.
REPORT_ENDPOINTS = {
    "report_page": "/reports/",
    "csv_export": "/reports/export.csv",
}

# The JSON API's lesson and course-list endpoints (issue 9), measured beside the web lesson
# page with a bearer token per reader.
API_ENDPOINTS = {
    "api_lesson": "/api/v1/lessons/{lesson_id}",
    "api_courses": "/api/v1/courses",
}

# PRODUCT §6, as numbers the table prints beside each result. "<=" and ">=" say which way is good.
BUDGETS = {
    "lesson_vs_hello_ratio": (">=", 0.5),
    "first_visit_kb": ("<=", 35),
    "repeat_visit_kb": ("<=", 8),
    "report_page_ms": ("<=", 300),
    "csv_export_s": None,  # no limit on the time, only on memory
    # "Flat memory": the serving worker may not grow by more than this while streaming.
    "csv_export_growth_mb": ("<=", 32),
    "import_200_s": ("<=", 2),
    "load_errors": ("<=", 0),
    "load_p95_ms": ("<=", 200),
}
LIGHTHOUSE_BUDGETS = {"performance": 95, "accessibility": 100, "best-practices": 100}


@dataclass(frozen=True)
class Scale:
    name: str
    learners: int
    courses: int = 10
    units: int = 20  # under the one agency
    subunits: int = 5  # under each unit
    modules: int = 4
    lessons_per_module: int = 3  # reading lessons; the last module also ends with a quiz
    throughput_seconds: float = 20  # in all, hello and lesson each
    throughput_rounds: int = 5
    throughput_threads: int = 8
    load_learners: int = 300
    load_seconds: float = 60
    report_repeats: int = 5
    import_lessons: int = 200
    lighthouse: bool = True
    profile: bool = True  # py-spy on a worker under lesson load, the evidence behind the ratio


FULL = Scale("full", learners=50_000)
QUICK = Scale(
    "quick", learners=2_000, throughput_seconds=4, throughput_rounds=2, load_learners=40,
    load_seconds=8,
    report_repeats=2, lighthouse=False, profile=False,
)
