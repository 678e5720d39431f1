"""Generated data for the benchmark: a unit tree, 50,000 learners, 10 courses, their progress.

Courses are written as Markdown folders and imported through the app's own importer. People
and progress are written in bulk (COPY on PostgreSQL, executemany on SQLite): one Argon2 hash
is made and shared by every generated account, never one per learner.

    python -m bench.seed [--learners N] [--database-url URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import JSON, make_url, select, text
from sqlalchemy.engine import Engine

from bench.settings import (
    BENCH_SECRET_KEY,
    DEFAULT_DATABASE_URL,
    FULL,
    PASSWORD,
    QUICK,
    SQLITE_FALLBACK,
    WORK,
    Scale,
)

if TYPE_CHECKING:
    from app.services.grading import Grade, Snapshot

EMAIL_DOMAIN = "bench.lentera.test"
ADMIN_EMAIL = f"admin@{EMAIL_DOMAIN}"
SUPERVISOR_EMAIL = f"atasan@{EMAIL_DOMAIN}"
TRAINER_EMAIL = f"pelatih@{EMAIL_DOMAIN}"
FIRST_LEARNER_ID = 1000
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)  # fixed, so two seeds of one scale are equal

_VOCABULARY = (
    "aparatur sipil negara pelayanan publik data pribadi keamanan informasi kata sandi "
    "sistem pemerintahan berbasis elektronik layanan digital instansi unit kerja pegawai "
    "kompetensi pengembangan pelatihan jam pelajaran laporan anggaran kinerja tata kelola "
    "arsip dokumen surat dinas rapat koordinasi kebijakan regulasi peraturan presiden menteri "
    "integritas akuntabilitas transparansi masyarakat warga pengaduan survei kepuasan waktu "
    "prosedur standar operasional aplikasi perangkat jaringan internet ponsel komputer berkas "
    "cadangan enkripsi otentikasi akses hak wewenang atasan bawahan tim kolaborasi inovasi "
    "perencanaan pemantauan evaluasi indikator target capaian mutu risiko pengendalian audit "
    "yang dan untuk dengan pada dari dalam agar harus dapat akan tidak juga setiap secara"
)
_FIRST = (
    "Budi Siti Agus Dewi Rina Andi Sri Joko Wahyu Eko Nur Dian Fitri Rudi Ayu Hendra Lina "
    "Bambang Ratna Yusuf Indah Fajar Putri Teguh Maya Arif Sari Dedi Wulan Hadi Nina Bayu"
)
_LAST = (
    "Santoso Wijaya Rahayu Saputra Hidayat Lestari Kurniawan Purnama Setiawan Nugroho "
    "Siregar Nasution Harahap Simanjuntak Tanjung Pratama Utami Susanto Halim Gunawan"
)
WORDS, FIRST_NAMES, LAST_NAMES = _VOCABULARY.split(), _FIRST.split(), _LAST.split()


# ---------------------------------------------------------------- course folders

def _sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(8, 18))
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def lesson_markdown(rng: random.Random, title: str) -> str:
    """About 300–600 words with the things trainers use: headings, lists, a table, a note."""
    parts = [f"---\ntitle: {title}\n---\n", _paragraph(rng), ""]
    for section in range(rng.randint(2, 3)):
        parts += [f"## Bagian {section + 1}", "", _paragraph(rng), ""]
        if rng.random() < 0.5:
            parts += [f"- {_sentence(rng)}" for _ in range(rng.randint(3, 5))] + [""]
        if rng.random() < 0.3:
            parts += ["| Istilah | Arti |", "| --- | --- |"]
            parts += [f"| {rng.choice(WORDS)} | {_sentence(rng)} |" for _ in range(3)] + [""]
        if rng.random() < 0.3:
            parts += ['!!! note "Ingat"', f"    {_sentence(rng)}", ""]
    return "\n".join(parts)


def quiz_markdown(rng: random.Random, title: str) -> str:
    """Five questions: three single choice, one multiple choice, one short answer."""
    parts = [f"---\ntitle: {title}\ntype: quiz\npass_mark: 70\n---\n", _sentence(rng), ""]
    for n in range(3):
        right = rng.randrange(4)
        parts += [f"## Pertanyaan {n + 1}: {_sentence(rng)}", ""]
        parts += [f"- [{'x' if i == right else ' '}] {_sentence(rng)}" for i in range(4)]
        parts += ["", f"> {_sentence(rng)}", ""]
    parts += [f"## Pilih semua yang benar: {_sentence(rng)} {{points=2}}", ""]
    parts += [f"- [{'x' if i in (0, 2) else ' '}] {_sentence(rng)}" for i in range(4)]
    parts += ["", "## Berapa JP minimal per tahun?", "", "= 20", "= dua puluh", ""]
    return "\n".join(parts)


def write_course(
    folder: Path, title: str, *, modules: int, lessons_per_module: int, rng: random.Random,
    quiz_in_every_module: bool = False, owner: str = TRAINER_EMAIL,
) -> Path:
    """A course folder in the trainer's format (PRODUCT §3)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.md").write_text(
        f"---\ntitle: {title}\nsummary: {_sentence(rng)}\njp: {rng.choice([2, 4, 6, 8])}\n"
        f"level: Dasar\ntags: [bench]\nversion: \"1.0\"\nowner: {owner}\n---\n"
        f"{_paragraph(rng)}\n",
        encoding="utf-8",
    )
    for m in range(1, modules + 1):
        module = folder / f"{m:02d}-modul-{m}"
        module.mkdir(exist_ok=True)
        (module / "module.md").write_text(f"---\ntitle: Modul {m}\n---\n{_sentence(rng)}\n")
        for n in range(1, lessons_per_module + 1):
            (module / f"{n:02d}-pelajaran-{n}.md").write_text(
                lesson_markdown(rng, f"Pelajaran {m}.{n}"), encoding="utf-8")
        if quiz_in_every_module or m == modules:
            (module / f"{lessons_per_module + 1:02d}-kuis.md").write_text(
                quiz_markdown(rng, f"Kuis modul {m}"), encoding="utf-8")
    return folder


# ---------------------------------------------------------------- people

def nip_for(rng: random.Random, sequence: int) -> str:
    """A valid NIP: birth date, appointment month (18+ years later), sex 1|2, sequence."""
    born = date(rng.randint(1965, 2002), rng.randint(1, 12), rng.randint(1, 28))
    appointed = min(born.year + rng.randint(19, 35), 2025)
    return (f"{born:%Y%m%d}{appointed:04d}{rng.randint(1, 12):02d}{rng.choice('12')}"
            f"{sequence % 1000:03d}")


@dataclass
class Step:
    lesson_id: int
    is_quiz: bool


@dataclass
class CourseInfo:
    id: int
    title: str
    jp: Decimal
    steps: list[Step]
    quiz_id: int | None = None
    snapshot: Snapshot | None = None


@dataclass
class Enrolled:
    user_id: int
    course: CourseInfo
    enrolled_at: datetime
    opened: int  # steps opened, in course order
    done: int  # steps completed, in course order
    completed_at: datetime | None
    step_times: list[datetime]
    failed_attempts: int  # submitted attempts that did not pass


@dataclass
class SeedInfo:
    database_url: str
    scale: str
    counts: dict[str, int]
    seconds: float


# ---------------------------------------------------------------- bulk writing

def _bulk_insert(engine: Engine, table, columns: list[str], rows: Iterable[tuple]) -> int:
    """COPY on PostgreSQL, executemany in chunks elsewhere. Returns the number of rows."""
    count = 0
    if engine.dialect.name == "postgresql":
        json_cols = [i for i, c in enumerate(columns) if isinstance(table.c[c].type, JSON)]

        def encoded(row: tuple) -> tuple:
            if not json_cols:
                return row
            row = list(row)
            for i in json_cols:
                row[i] = json.dumps(row[i])
            return tuple(row)

        quote = engine.dialect.identifier_preparer.quote
        sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(encoded(row))
                    count += 1
            raw.commit()
        finally:
            raw.close()
        return count
    chunk: list[dict] = []
    with engine.begin() as conn:
        for row in rows:
            chunk.append(dict(zip(columns, row, strict=True)))
            count += 1
            if len(chunk) == 5000:
                conn.execute(table.insert(), chunk)
                chunk = []
        if chunk:
            conn.execute(table.insert(), chunk)
    return count


def _reset_sequences(engine: Engine, tables: list[str]) -> None:
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for name in tables:
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM \"{name}\"))"))


def reset_database(database_url: str) -> None:
    """An empty database: drop PostgreSQL's public schema, or delete the SQLite file."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def choose_database(url: str | None = None) -> tuple[str, str]:
    """BENCH_DATABASE_URL or the local PostgreSQL (its database created when missing);
    SQLite only when no PostgreSQL server answers, and then the note says so."""
    import os

    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    url = url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    if url.startswith("sqlite"):
        return url, f"database: SQLite ({url}), as asked"

    def version() -> str:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as conn:
                return conn.execute(text("SHOW server_version")).scalar()
        finally:
            engine.dispose()

    shown = make_url(url).render_as_string()
    try:
        try:
            found = version()
        except OperationalError as error:
            if "does not exist" not in str(error):
                raise
            _create_database(url)
            found = version()
        return url, f"database: PostgreSQL {found} ({shown})"
    except Exception as error:  # noqa: BLE001 - any failure to connect means "not reachable"
        fallback = f"sqlite:///{SQLITE_FALLBACK}"
        reason = str(error).strip().splitlines()[0]
        return fallback, (f"database: PostgreSQL at {shown} is not reachable ({reason}); "
                          f"FALLING BACK TO SQLite {SQLITE_FALLBACK}. The report budgets are "
                          "defined for PostgreSQL.")


def _create_database(url: str) -> None:
    from sqlalchemy import create_engine

    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT",
                           connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            quoted = engine.dialect.identifier_preparer.quote(target.database)
            conn.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()


def bench_app(database_url: str, **config):
    """The product app pointed at the benchmark database."""
    from app import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": BENCH_SECRET_KEY,
        "RATELIMIT_STORAGE_URI": "memory://",
        "COURSES_DIR": str(WORK / "courses"),
        **config,
    })


# ---------------------------------------------------------------- the seed

def _course_infos(session, course_ids: list[int]) -> list[CourseInfo]:
    from app.models import Course, Lesson, Quiz
    from app.services.quizzes import take_snapshot

    infos = []
    for course in session.scalars(select(Course).where(Course.id.in_(course_ids))
                                  .order_by(Course.id)):
        lessons = session.scalars(
            select(Lesson).where(Lesson.course_id == course.id, Lesson.retired.is_(False))
            .order_by(Lesson.position)).all()
        info = CourseInfo(course.id, course.title, course.jp,
                          [Step(lesson.id, lesson.is_quiz) for lesson in lessons])
        quiz = next((lesson.quiz for lesson in lessons if lesson.is_quiz), None)
        if quiz is not None:
            info.quiz_id = quiz.lesson_id
            # What an attempt records, made by the app's own code (no shuffle: deterministic).
            info.snapshot = take_snapshot(session, session.get(Quiz, quiz.lesson_id),
                                          random.Random(0))
        infos.append(info)
    return infos


def _plan(rng: random.Random, user_ids: list[int], courses: list[CourseInfo]) -> list[Enrolled]:
    """Who is enrolled where and how far they got, at ratios a real agency might see:
    most learners in 1–4 of the 10 courses, ~40% of enrolments completed, ~15% never opened."""
    popularity = [1.0 / (1 + i * 0.35) for i in range(len(courses))]
    plans = []
    for user_id in user_ids:
        k = rng.choices(range(7), weights=[10, 20, 25, 20, 12, 8, 5])[0]
        chosen: set[int] = set()
        while len(chosen) < min(k, len(courses)):
            chosen.add(rng.choices(range(len(courses)), weights=popularity)[0])
        for index in sorted(chosen):
            course = courses[index]
            n = len(course.steps)
            enrolled_at = NOW - timedelta(days=rng.uniform(1, 400))
            times, moment = [], enrolled_at
            for _ in range(n):
                moment += timedelta(minutes=rng.uniform(3, 60 * 48))
                times.append(min(moment, NOW - timedelta(minutes=n - len(times))))
            state = rng.random()
            failed = 0
            if state < 0.40:
                opened = done = n
                completed_at = times[-1] + timedelta(minutes=5)
                failed = 1 if rng.random() < 0.3 else 0
            elif state < 0.85:
                opened = rng.randint(1, n)
                done = rng.randint(0, min(opened, n - 1))
                if course.steps[done - 1].is_quiz if done else False:
                    done -= 1
                completed_at = None
                if opened == n and course.steps[-1].is_quiz and rng.random() < 0.6:
                    failed = 1
            else:
                opened = done = 0
                completed_at = None
            plans.append(Enrolled(user_id, course, enrolled_at, opened, done, completed_at,
                                  times, failed))
    return plans


def _graded_answers(rng: random.Random, snapshot: Snapshot, passing: bool) -> Grade:
    """An attempt that passes (every answer right) or fails (three wrong), graded by the app's
    own rule. Raises RuntimeError if the generated quiz no longer fails with three wrong."""
    from app.services.grading import correct_answers, grade

    answers = correct_answers(snapshot)
    for q in [] if passing else rng.sample(snapshot.questions, 3):
        answers[q.key] = "tidak tahu" if q.is_short else [
            str(next(o.id for o in q.options if not o.correct))]
    graded = grade(snapshot, answers)
    if graded.passed != passing:
        raise RuntimeError("quiz_markdown's quiz must fail with three wrong answers")
    return graded


def seed(database_url: str, scale: Scale, log: Callable[[str], None] = print,
         work: Path = WORK) -> SeedInfo:
    """Reset the database and fill it at the given scale. Deterministic for a given scale.
    The generated course folders are written under `work`/courses."""
    from flask_migrate import upgrade

    from app.extensions import db, enable_migrations
    from app.models import User
    from app.services.passwords import hash_password

    started = time.perf_counter()
    rng = random.Random(f"lentera-bench-{scale.name}")
    reset_database(database_url)
    app = bench_app(database_url)
    counts: dict[str, int] = {}
    enable_migrations(app)
    with app.app_context():
        upgrade()
        engine = db.engine
        password_hash = hash_password(PASSWORD, app.config["PASSWORD_TIME_COST"],
                                      app.config["PASSWORD_MEMORY_COST"])
        leaves = _seed_units(engine, scale, counts)
        _seed_users(engine, rng, scale, leaves, password_hash, counts)
        course_ids = _seed_courses(db.session, rng, scale, work)
        counts["courses"] = len(course_ids)
        courses = _course_infos(db.session, course_ids)
        db.session.remove()

        learner_ids = list(range(FIRST_LEARNER_ID, FIRST_LEARNER_ID + scale.learners))
        plans = _plan(rng, learner_ids, courses)
        names = dict(db.session.execute(select(User.id, User.name)).all())
        nip_of = dict(db.session.execute(select(User.id, User.nip)).all())
        _seed_progress(engine, plans, counts)
        _seed_attempts(engine, rng, plans, counts)
        _seed_certificates(engine, rng, plans, names, nip_of, counts)
        _finish(db, engine, counts)
    seconds = time.perf_counter() - started
    log("seeded " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f" in {seconds:.1f} s")
    return SeedInfo(database_url, scale.name, counts, seconds)


def _seed_units(engine, scale: Scale, counts: dict[str, int]) -> list[int]:
    """The organisation: 1 agency → units → sub-units, ids chosen here so paths are known.
    Returns the ids of the units learners may belong to."""
    from app.models import Unit

    units = [(1, "INST", "Instansi Pembina Bench", None, "/1/")]
    next_id = 2
    leaves = []
    for u in range(1, scale.units + 1):
        unit_id = next_id
        next_id += 1
        units.append((unit_id, f"U{u:02d}", f"Biro {u:02d}", 1, f"/1/{unit_id}/"))
        leaves.append(unit_id)
        for s in range(1, scale.subunits + 1):
            units.append((next_id, f"U{u:02d}-{s:02d}", f"Bagian {u:02d}.{s:02d}", unit_id,
                          f"/1/{unit_id}/{next_id}/"))
            leaves.append(next_id)
            next_id += 1
    counts["units"] = _bulk_insert(engine, Unit.__table__,
                                   ["id", "code", "name", "parent_id", "path"], units)
    return leaves


def _seed_users(engine, rng: random.Random, scale: Scale, leaves: list[int],
                password_hash: str, counts: dict[str, int]) -> None:
    """The admin, supervisor and trainer, then the learners with unique NIPs."""
    from app.models import Role, User

    staff = [
        (1, ADMIN_EMAIL, "Admin Bench", Role.ADMIN | Role.LEARNER, 1),
        (2, SUPERVISOR_EMAIL, "Atasan Bench", Role.SUPERVISOR | Role.LEARNER, 1),
        (3, TRAINER_EMAIL, "Pelatih Bench", Role.TRAINER, 1),
    ]
    nips: set[str] = set()

    def people() -> Iterator[tuple]:
        for user_id, email, name, roles, unit_id in staff:
            yield (user_id, email, name, None, password_hash, int(roles), unit_id, None,
                   True, NOW - timedelta(days=500))
        for n in range(scale.learners):
            nip = nip_for(rng, n + 1)
            while nip in nips:
                nip = nip_for(rng, n + 1)
            nips.add(nip)
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            unit_id = rng.choice(leaves)
            yield (FIRST_LEARNER_ID + n, f"peserta{n + 1:05d}@{EMAIL_DOMAIN}", name, nip,
                   password_hash, int(Role.LEARNER), unit_id, None, True,
                   NOW - timedelta(days=rng.uniform(400, 3000)))

    counts["users"] = _bulk_insert(engine, User.__table__, [
        "id", "email", "name", "nip", "password_hash", "roles", "unit_id", "locale",
        "active", "created_at"], people())
    _reset_sequences(engine, ["unit", "user"])


def _seed_courses(session, rng: random.Random, scale: Scale, work: Path) -> list[int]:
    """The courses, through the importer, as `flask courses import --publish` would.
    Returns their ids."""
    from app.services.content import import_course, load_course

    course_dir = work / "courses"
    shutil.rmtree(course_dir, ignore_errors=True)  # no stale folders from another scale
    course_ids = []
    for c in range(1, scale.courses + 1):
        slug = f"kursus-bench-{c:02d}"
        folder = write_course(course_dir / slug, f"Kursus Bench {c:02d}",
                              modules=scale.modules,
                              lessons_per_module=scale.lessons_per_module, rng=rng)
        parsed, problems = load_course(folder)
        if problems:
            raise RuntimeError("generated course has problems: " + "; ".join(
                map(str, problems)))
        course_ids.append(import_course(session, parsed, str(folder),
                                        publish=True).course.id)
    session.commit()
    return course_ids


def _seed_progress(engine, plans: list, counts: dict[str, int]) -> None:
    """Enrolments, the JP ledger entries completing writes, and the lessons opened."""
    from app.models import Enrolment, JpEntry, LessonProgress
    from app.services.ledger import local_day

    counts["enrolments"] = _bulk_insert(
        engine, Enrolment.__table__,
        ["user_id", "course_id", "enrolled_at", "completed_at", "jp_credited"],
        ((p.user_id, p.course.id, p.enrolled_at, p.completed_at,
          p.course.jp if p.completed_at else None) for p in plans))
    # What completing writes into the JP ledger, which the reports read (issue 12).
    counts["jp_entries"] = _bulk_insert(
        engine, JpEntry.__table__,
        ["user_id", "hours", "on_date", "year", "source", "ref_id", "title", "status",
         "decided_at", "created_at"],
        ((p.user_id, p.course.jp, local_day(p.completed_at), local_day(p.completed_at).year,
          "course", p.course.id, p.course.title, "credited", p.completed_at, p.completed_at)
         for p in plans if p.completed_at))

    def progress_rows() -> Iterator[tuple]:
        for p in plans:
            for i in range(p.opened):
                opened = p.step_times[i]
                yield (p.user_id, p.course.steps[i].lesson_id, opened,
                       opened + timedelta(minutes=4) if i < p.done else None)

    counts["lesson_progress"] = _bulk_insert(
        engine, LessonProgress.__table__,
        ["user_id", "lesson_id", "opened_at", "completed_at"], progress_rows())


def _seed_attempts(engine, rng: random.Random, plans: list, counts: dict[str, int]) -> None:
    """Quiz attempts of everyone who reached the quiz: the failed ones, then the pass."""
    from app.models import AttemptChoice, AttemptResult, QuizAttempt

    attempts, results, choices = [], [], []
    stored: dict[int, dict] = {}  # course id -> its snapshot as the attempts store it
    attempt_id = 0
    for p in plans:
        snapshot = p.course.snapshot
        if snapshot is None or not p.course.quiz_id or p.opened < len(p.course.steps):
            continue
        stored.setdefault(p.course.id, snapshot.to_json())
        outcomes = [False] * p.failed_attempts + ([True] if p.completed_at else [])
        moment = p.step_times[-1]
        for number, passing in enumerate(outcomes, start=1):
            attempt_id += 1
            graded = _graded_answers(rng, snapshot, passing)
            attempts.append((attempt_id, p.user_id, p.course.quiz_id, number, moment,
                             None, moment + timedelta(minutes=6), False, stored[p.course.id],
                             graded.answers, graded.points_earned, graded.points_possible,
                             graded.score, graded.passed))
            results += [(attempt_id, g.question_id, g.correct, g.points)
                        for g in graded.questions]
            choices += [(attempt_id, oid) for g in graded.questions for oid in g.picked]
            moment += timedelta(minutes=15)
    counts["quiz_attempts"] = _bulk_insert(engine, QuizAttempt.__table__, [
        "id", "user_id", "quiz_id", "number", "started_at", "deadline_at", "submitted_at",
        "timed_out", "snapshot", "answers", "points_earned", "points_possible", "score",
        "passed"], attempts)
    counts["attempt_results"] = _bulk_insert(
        engine, AttemptResult.__table__, ["attempt_id", "question_id", "correct", "points"],
        results)
    counts["attempt_choices"] = _bulk_insert(
        engine, AttemptChoice.__table__, ["attempt_id", "option_id"], choices)
    _reset_sequences(engine, ["quiz_attempt"])


def _seed_certificates(engine, rng: random.Random, plans: list, names: dict[int, str],
                       nip_of: dict[int, str | None], counts: dict[str, int]) -> None:
    """A certificate for every completed enrolment, named and masked as issuing does."""
    from app.models import Certificate
    from app.services.nip import mask_nip

    counts["certificates"] = _bulk_insert(engine, Certificate.__table__, [
        "code", "user_id", "course_id", "issued_at", "learner_name", "masked_nip",
        "course_title", "jp", "completed_at"],
        ((f"{rng.getrandbits(128):032x}", p.user_id, p.course.id, p.completed_at,
          names[p.user_id], mask_nip(nip_of[p.user_id]), p.course.title, p.course.jp,
          p.completed_at) for p in plans if p.completed_at))


def _finish(db, engine, counts: dict[str, int]) -> None:
    """COPY went around the ORM: count the report's per-unit roll-ups once, as
    `flask reports rollups` does after a bulk load, then ANALYZE."""
    from app.models import ReportRollup
    from app.services import rollups

    rollups.refresh(db.session)
    db.session.commit()
    counts["report_rollups"] = db.session.query(ReportRollup).count()
    db.session.remove()
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    db.session.remove()
    db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--quick", action="store_true", help=f"{QUICK.learners:,} learners")
    parser.add_argument("--learners", type=int, default=None,
                        help=f"how many learners (default {FULL.learners:,})")
    args = parser.parse_args()
    url, note = choose_database(args.database_url)
    print(note)
    scale = QUICK if args.quick else FULL
    if args.learners:
        scale = dataclasses.replace(scale, learners=args.learners)
    seed(url, scale)


if __name__ == "__main__":
    main()
