"""The benchmark's generated data is valid data: real NIPs, a consistent unit tree, coherent
progress. (The benchmark itself runs with `make bench`, never in the test suite.)"""

import random
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.services.nip import normalize_nip
from bench.seed import nip_for, seed
from bench.server import PRODUCTION_OPTIONS
from bench.settings import Scale

ROOT = Path(__file__).resolve().parent.parent


def test_generated_nips_are_valid_and_spread_over_both_sexes():
    rng = random.Random(7)
    nips = [nip_for(rng, n) for n in range(1, 3000)]
    assert all(normalize_nip(nip) == nip for nip in nips)
    assert {nip[14] for nip in nips} == {"1", "2"}
    assert nips[0].endswith("001") and nips[998].endswith("999")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The real seed on a tiny scale, in its own SQLite file."""
    work = tmp_path_factory.mktemp("bench")
    url = f"sqlite:///{work / 'seed.db'}"
    scale = Scale("tiny", learners=60, courses=2, units=3, subunits=2, modules=2,
                  lessons_per_module=2)
    info = seed(url, scale, log=lambda _message: None, work=work)
    engine = create_engine(url)
    with engine.connect() as conn:
        yield info, conn
    engine.dispose()


def test_the_seed_builds_one_agency_with_units_and_sub_units(tiny):
    info, conn = tiny
    units = {row.id: row for row in conn.execute(text("SELECT id, parent_id, path FROM unit"))}
    assert len(units) == info.counts["units"] == 1 + 3 + 3 * 2
    roots = [u for u in units.values() if u.parent_id is None]
    assert [r.path for r in roots] == [f"/{roots[0].id}/"]
    for unit in units.values():
        if unit.parent_id is not None:
            assert unit.path == f"{units[unit.parent_id].path}{unit.id}/"
    depths = sorted({unit.path.count("/") - 1 for unit in units.values()})
    assert depths == [1, 2, 3]


def test_seeded_learners_have_valid_unique_nips_in_existing_units(tiny):
    _, conn = tiny
    learners = conn.execute(text(
        "SELECT nip, unit_id, password_hash FROM user WHERE roles = 1")).all()
    assert len(learners) == 60
    assert all(normalize_nip(row.nip) == row.nip for row in learners)
    assert len({row.nip for row in learners}) == 60
    unit_ids = set(conn.execute(text("SELECT id FROM unit")).scalars())
    assert {row.unit_id for row in learners} <= unit_ids
    # One Argon2 hash shared by every generated account, not one hash per learner.
    assert len({row.password_hash for row in learners}) == 1
    assert learners[0].password_hash.startswith("$argon2id$")


def test_seeded_progress_is_coherent(tiny):
    info, conn = tiny
    assert info.counts["enrolments"] > 0 and info.counts["lesson_progress"] > 0
    # A completed enrolment has every live step done, a passed attempt and a certificate.
    broken = conn.execute(text("""
        SELECT e.id FROM enrolment e
        WHERE e.completed_at IS NOT NULL AND (
            (SELECT count(*) FROM lesson l WHERE l.course_id = e.course_id AND NOT l.retired)
            <> (SELECT count(*) FROM lesson_progress p JOIN lesson l ON l.id = p.lesson_id
                WHERE p.user_id = e.user_id AND l.course_id = e.course_id
                AND p.completed_at IS NOT NULL)
            OR NOT EXISTS (SELECT 1 FROM quiz_attempt a JOIN lesson q ON q.id = a.quiz_id
                           WHERE a.user_id = e.user_id AND q.course_id = e.course_id
                           AND a.passed)
            OR NOT EXISTS (SELECT 1 FROM certificate c
                           WHERE c.user_id = e.user_id AND c.course_id = e.course_id))
    """)).all()
    assert broken == []
    # Progress belongs to enrolled learners, and nothing is completed before it was opened.
    assert conn.execute(text("""
        SELECT count(*) FROM lesson_progress p JOIN lesson l ON l.id = p.lesson_id
        LEFT JOIN enrolment e ON e.user_id = p.user_id AND e.course_id = l.course_id
        WHERE e.id IS NULL OR p.completed_at < p.opened_at
    """)).scalar() == 0
    completed = conn.execute(text(
        "SELECT count(*) FROM enrolment WHERE completed_at IS NOT NULL")).scalar()
    assert 0 < completed < info.counts["enrolments"]


def test_the_benchmark_serves_with_the_readmes_production_options():
    readme = (ROOT / "README.md").read_text()
    [command] = re.findall(r"^.*\bgunicorn\b.*wsgi:app.*$", readme, re.M)
    assert " ".join(PRODUCTION_OPTIONS) in command


def test_the_benchmarks_signed_in_learners_are_signed_in_for_the_app(app, make):
    """bench/sessions signs learners in without /login; the app must take those cookies as a
    real sign-in (a server-side session included), or every signed-in leg measures redirects."""
    from bench.sessions import sign_in
    from bench.settings import USER_AGENT

    learner = make.user(name="Sari Bench")
    [signed] = sign_in(app, [learner.id])
    client = app.test_client()
    client.set_cookie("session", signed.cookie)
    page = client.get("/account", headers={"User-Agent": USER_AGENT},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert page.status_code == 200
    assert "Sari Bench" in page.get_data(as_text=True)
    assert signed.csrf
