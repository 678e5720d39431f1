"""Load on loopback: throughput of one URL, and simulated learners reading and taking quizzes.

Every loop is bounded in time (and every request by a timeout), so a run always ends.
"""

from __future__ import annotations

import asyncio
import random
import re
import resource
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from bench.client import HOST, Client, Reply
from bench.sessions import SignedIn
from bench.settings import USER_AGENT

# A simulated learner waits this long between two actions: a very fast reader (a real one
# spends minutes on a lesson), so 300 of them offer far more load than 300 real people.
THINK_SECONDS = (1.0, 3.0)


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of a list of numbers."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Step:
    url: str
    is_quiz: bool
    lesson_id: int


@dataclass
class CoursePlan:
    slug: str
    steps: list[Step]

    @property
    def outline_url(self) -> str:
        return f"/courses/{self.slug}/"


@dataclass
class Catalogue:
    """What the simulated learners know: courses, their steps, the quiz answer keys."""

    courses: dict[int, CoursePlan]
    # quiz lesson id -> the right answers (grading.correct_answers): question id as text ->
    # the correct option ids, or an accepted short answer
    keys: dict[int, dict[str, str | list[str]]]
    enrolled: dict[int, list[int]] = field(default_factory=dict)  # user id -> course ids


def read_catalogue(app, user_ids: list[int]) -> Catalogue:
    from app.extensions import db
    from app.models import Course, Enrolment, Lesson, Quiz
    from app.services.grading import correct_answers
    from app.services.quizzes import take_snapshot

    with app.app_context():
        s = db.session
        courses: dict[int, CoursePlan] = {}
        rows = s.execute(
            select(Course.id, Course.slug, Lesson.path, Lesson.kind, Lesson.id)
            .join(Lesson, Lesson.course_id == Course.id)
            .where(Course.published.is_(True), Lesson.retired.is_(False))
            .order_by(Course.id, Lesson.position))
        for course_id, slug, path, kind, lesson_id in rows:
            plan = courses.setdefault(course_id, CoursePlan(slug, []))
            plan.steps.append(Step(f"/courses/{slug}/{path}", kind == "quiz", lesson_id))
        keys: dict[int, dict[str, str | list[str]]] = {}
        quiz_ids = [st.lesson_id for c in courses.values() for st in c.steps if st.is_quiz]
        for quiz in s.scalars(select(Quiz).where(Quiz.lesson_id.in_(quiz_ids))):
            keys[quiz.lesson_id] = correct_answers(take_snapshot(s, quiz, random.Random(0)))
        enrolled: dict[int, list[int]] = {}
        for user_id, course_id in s.execute(
                select(Enrolment.user_id, Enrolment.course_id)
                .where(Enrolment.user_id.in_(user_ids))):
            if course_id in courses:
                enrolled.setdefault(user_id, []).append(course_id)
        s.remove()
    return Catalogue(courses, keys, enrolled)


# ---------------------------------------------------------------- throughput of one URL

@dataclass
class Throughput:
    requests: int
    errors: int
    seconds: float
    rps: float
    p50_ms: float | None
    p95_ms: float | None
    latencies: list[float] = field(default_factory=list, repr=False)

    @classmethod
    def combine(cls, parts: list[Throughput]) -> Throughput:
        latencies = [x for p in parts for x in p.latencies]
        seconds = sum(p.seconds for p in parts)
        requests = sum(p.requests for p in parts)
        return cls(requests, sum(p.errors for p in parts), seconds,
                   requests / seconds if seconds else 0.0,
                   percentile(latencies, 50), percentile(latencies, 95), latencies)

    def as_dict(self) -> dict:
        return {"requests": self.requests, "errors": self.errors, "seconds": round(self.seconds, 2),
                "rps": round(self.rps, 1),
                "p50_ms": _ms(self.p50_ms), "p95_ms": _ms(self.p95_ms)}


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def throughput(port: int, paths_per_client: list[list[str]], cookies: list,
               seconds: float) -> Throughput:
    """As many GETs as the server answers in `seconds`, one thread per client, each cycling
    through its own paths (visited once first, so first-visit writes are not timed).
    A client is signed in by its session cookie, or by headers (a dict: an API token)."""
    clients = [Client(port, headers=who) if isinstance(who, dict) else Client(port, who)
               for who in cookies]
    for client, paths in zip(clients, paths_per_client, strict=True):
        for path in paths:
            if client.get(path).status != 200:
                raise RuntimeError(f"{path} does not answer 200")
    latencies: list[float] = []
    errors = [0]
    start = time.perf_counter()
    deadline = start + seconds

    def work(client: Client, paths: list[str]) -> None:
        i = 0
        while time.perf_counter() < deadline:
            try:
                reply = client.get(paths[i % len(paths)])
                latencies.append(reply.seconds)
                if reply.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
            i += 1

    threads = [threading.Thread(target=work, args=(c, p), daemon=True)
               for c, p in zip(clients, paths_per_client, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - start
    for c in clients:
        c.close()
    return Throughput(len(latencies), errors[0], elapsed, len(latencies) / elapsed,
                      percentile(latencies, 50), percentile(latencies, 95), latencies)


# ---------------------------------------------------------------- simulated learners

_ATTEMPT = re.compile(r"/attempts/(\d+)$")
_MESSAGE = re.compile(r"<h1>(.*?)</h1>\s*<p>(.*?)</p>", re.S)  # an error page's title and text


@dataclass
class LoadResult:
    learners: int
    seconds: float
    requests: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    by_window: dict[int, list[float]] = field(default_factory=dict)  # 10-s window -> latencies
    started: float = field(default_factory=time.perf_counter)
    statuses: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    generator_cpu_seconds: float | None = None  # the load generator's own CPU time

    def record(self, kind: str, reply, expected: int) -> None:
        with self.lock:
            self.requests += 1
            self.latencies.append(reply.seconds)
            self.by_kind.setdefault(kind, []).append(reply.seconds)
            window = int((time.perf_counter() - self.started) // 10) * 10
            self.by_window.setdefault(window, []).append(reply.seconds)
            self.statuses[reply.status] += 1
            if reply.status != expected:
                self.errors += 1
                if len(self.error_samples) < 10:
                    said = _MESSAGE.search(reply.text)
                    self.error_samples.append(
                        f"{kind}: HTTP {reply.status}, wanted {expected}"
                        + (f" ({said.group(1)}: {said.group(2)})" if said else ""))

    def failure(self, kind: str, error: Exception) -> None:
        with self.lock:
            self.requests += 1
            self.errors += 1
            if len(self.error_samples) < 10:
                self.error_samples.append(f"{kind}: {type(error).__name__}: {error}")

    def as_dict(self) -> dict:
        return {
            "learners": self.learners, "seconds": round(self.seconds, 1),
            "requests": self.requests, "errors": self.errors,
            "rps": round(self.requests / self.seconds, 1) if self.seconds else None,
            "p50_ms": _ms(percentile(self.latencies, 50)),
            "p95_ms": _ms(percentile(self.latencies, 95)),
            "p99_ms": _ms(percentile(self.latencies, 99)),
            "max_ms": _ms(max(self.latencies, default=None)),
            "by_kind": {k: {"requests": len(v), "p50_ms": _ms(percentile(v, 50)),
                            "p95_ms": _ms(percentile(v, 95))}
                        for k, v in sorted(self.by_kind.items())},
            # A p95 that is high in one window only points at a burst of outside load.
            "p95_ms_by_10s_window": {f"{k}-{k + 10}s": _ms(percentile(v, 95))
                                     for k, v in sorted(self.by_window.items())},
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "error_samples": self.error_samples,
            "think_seconds": list(THINK_SECONDS),
            # The generator's own CPU (one asyncio process): seconds, and share of one core.
            "generator_cpu_s": (round(self.generator_cpu_seconds, 1)
                                if self.generator_cpu_seconds is not None else None),
            "generator_cpu_percent_of_one_core": (
                round(100 * self.generator_cpu_seconds / self.seconds, 1)
                if self.generator_cpu_seconds is not None and self.seconds else None),
            "max_p95_ms_in_a_10s_window": _ms(max(
                (percentile(v, 95) for v in self.by_window.values()), default=None)),
        }


class Learner:
    """One simulated learner: opens a course, reads a few lessons in order, marks them done
    (as the htmx button does), and at a quiz starts an attempt and submits answers.

    A coroutine, not a thread: all 300 share one event loop and one aiohttp session, so the
    generator itself uses a fraction of one core (measured and reported beside the result)
    instead of competing with the server for both."""

    def __init__(self, http, base: str, who: SignedIn, catalogue: Catalogue,
                 result: LoadResult, deadline: float, seed: int):
        self.http, self.base = http, base
        self.who, self.catalogue, self.result = who, catalogue, result
        self.deadline, self.rng = deadline, random.Random(seed)
        self.headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip",
                        "Cookie": f"session={who.cookie}"}

    async def _do(self, kind: str, method: str, path: str, expected: int,
                  form: list | dict | None = None, headers: dict | None = None) -> Reply:
        import aiohttp

        if time.perf_counter() >= self.deadline:
            raise TimeoutError
        started = time.perf_counter()
        try:
            async with self.http.request(
                    method, self.base + path, data=form, allow_redirects=False,
                    headers={**self.headers, **(headers or {})}) as response:
                body = await response.read()
                reply = Reply(response.status, {k.lower(): v for k, v in response.headers.items()},
                              body, len(body), time.perf_counter() - started)
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            self.result.failure(kind, error)
            raise TimeoutError from error  # this learner stops: its connection is broken
        self.result.record(kind, reply, expected)
        return reply

    async def _think(self) -> None:
        pause = self.rng.uniform(*THINK_SECONDS)
        await asyncio.sleep(max(0.0, min(pause, self.deadline - time.perf_counter())))

    async def run(self, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            while time.perf_counter() < self.deadline:
                await self.session()
        except TimeoutError:
            pass

    async def session(self) -> None:
        mine = self.catalogue.enrolled.get(self.who.user_id) or []
        if not mine or self.rng.random() < 0.2:
            await self._do("catalog", "GET", "/", 200)
            await self._think()
            course_id = self.rng.choice(list(self.catalogue.courses))
        else:
            course_id = self.rng.choice(mine)
        course = self.catalogue.courses[course_id]
        await self._do("outline", "GET", course.outline_url, 200)
        await self._think()
        start = self.rng.randrange(len(course.steps))
        for step in course.steps[start:start + self.rng.randint(2, 5)]:
            await self._do("lesson", "GET", step.url, 200)
            await self._think()
            if step.is_quiz:
                await self.take_quiz(step)
            else:
                await self._do("complete", "POST", step.url + "/complete", 200,
                               form={"csrf_token": self.who.csrf},
                               headers={"HX-Request": "true", "HX-Target": "complete",
                                        "X-CSRFToken": self.who.csrf})
                await self._think()

    async def take_quiz(self, step: Step) -> None:
        reply = await self._do("quiz_start", "POST", step.url + "/attempts", 303,
                               form={"csrf_token": self.who.csrf})
        match = _ATTEMPT.search(reply.location)
        if not match:
            return
        attempt = f"/attempts/{match.group(1)}"
        await self._do("quiz_page", "GET", attempt, 200)
        await self._think()
        form: list[tuple[str, str]] = [("csrf_token", self.who.csrf)]
        knows = self.rng.random() < 0.7
        for question_id, right in self.catalogue.keys[step.lesson_id].items():
            if isinstance(right, str):  # a short answer
                form.append((f"q{question_id}", right if knows else "tidak tahu"))
            else:
                form += [(f"q{question_id}", o) for o in (right if knows else right[:1])]
        await self._do("quiz_submit", "POST", attempt, 303, form=form)
        await self._do("quiz_result", "GET", attempt, 200)
        await self._think()


def simulate_learners(port: int, signed_in: list[SignedIn], catalogue: Catalogue,
                      seconds: float, ramp_seconds: float = 5) -> LoadResult:
    """All learners at once (their starts spread over `ramp_seconds`) until the time is up,
    as coroutines on one event loop. The result carries the generator's own CPU use."""
    return asyncio.run(_simulate(port, signed_in, catalogue, seconds, ramp_seconds))


async def _simulate(port: int, signed_in: list[SignedIn], catalogue: Catalogue,
                    seconds: float, ramp_seconds: float) -> LoadResult:
    import aiohttp

    result = LoadResult(len(signed_in), seconds)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    deadline = start + seconds
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar(),
                                     auto_decompress=True) as http:
        learners = [Learner(http, f"http://{HOST}:{port}", who, catalogue, result, deadline,
                            seed=n) for n, who in enumerate(signed_in)]
        await asyncio.wait_for(
            asyncio.gather(*(lr.run(n * ramp_seconds / len(learners))
                             for n, lr in enumerate(learners))),
            timeout=seconds + 60)
    result.seconds = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    result.generator_cpu_seconds = cpu
    return result
