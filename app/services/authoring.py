"""The trainer's side of a course: staged uploads, previews, versions, publishing, ownership.

A clean upload is staged, not imported: its archive is kept in `course_upload` until the
trainer publishes it, so learners of a published course keep seeing the current version
while the trainer previews the new one (rendered from the staged archive with the learner's
own templates). Publishing imports it in the request's one transaction, which keeps progress
for unchanged paths and retires removed lessons (see content.importer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import Row, delete, func, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import joinedload

from app.models import (
    Course,
    CourseUpload,
    CourseVersion,
    Enrolment,
    Lesson,
    Module,
    Quiz,
    Role,
    User,
)
from app.services.audit import record
from app.services.content import (
    CourseDiff,
    ImportResult,
    ParsedCourse,
    Problem,
    diff_course,
    import_course,
    load_course,
)
from app.services.content.frontmatter import parse_front_matter
from app.services.content.images import VARIANT_MARK, encode_variants
from app.services.courses import can_manage, managed_course
from app.services.errors import Forbidden, InvalidInput, NotFound
from app.services.progress import OutlineItem, OutlineModule
from app.services.types import DbSession
from app.services.uploads import extracted_course, media_member

MAX_SLUG_LENGTH = 100


def _course(session: DbSession, slug: str) -> Course | None:
    return session.scalar(select(Course).where(Course.slug == slug))


# Importing, with its history --------------------------------------------------------------


def record_version(
    session: DbSession, course: Course, actor_id: int | None, source: str
) -> CourseVersion | None:
    """Add a CourseVersion history row when the imported content differs from the last one
    recorded, and return it; None when nothing changed. Raises nothing."""
    last = session.scalar(
        select(CourseVersion.content_hash)
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.id.desc())
        .limit(1)
    )
    if last == course.content_hash:
        return None
    version = CourseVersion(
        course_id=course.id, version=course.version, content_hash=course.content_hash,
        imported_by_id=actor_id, source=source,
    )
    session.add(version)
    return version


def import_and_record(
    session: DbSession,
    parsed: ParsedCourse,
    source_path: str,
    *,
    actor_id: int | None,
    source: str,
    publish: bool,
) -> ImportResult:
    """Import a checked course, then write its version history and audit entries; returns the
    ImportResult (counts of created, updated and retired steps). The caller commits. Raises
    nothing of its own: `parsed` has passed load_course."""
    was_published = bool(
        session.scalar(select(Course.published).where(Course.slug == parsed.slug))
    )
    result = import_course(session, parsed, source_path, publish=publish)
    course = result.course
    target = f"course:{course.slug}"
    record_version(session, course, actor_id, source)
    record(session, actor_id, "course.import", target, source=source, version=course.version,
           created=result.created, updated=result.updated, retired=result.retired,
           published=course.published)
    if course.published and not was_published:
        record(session, actor_id, "course.publish", target, version=course.version)
    return result


# Uploads ----------------------------------------------------------------------------------


@dataclass
class UploadCheck:
    slug: str
    upload: CourseUpload | None = None
    problems: list[str] = field(default_factory=list)


def stage_upload(session: DbSession, user: User, filename: str, data: bytes) -> UploadCheck:
    """Check an uploaded archive and keep it, unpublished, when it is clean.

    Raises uploads.ArchiveRefused for an unsafe archive and Forbidden for someone else's
    course. Mistakes in the course come back as `path:line: message` lines; then nothing is
    kept.
    """
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    with extracted_course(data, name) as folder:
        slug = folder.name
        existing = _course(session, slug)
        if existing is not None and not can_manage(user, existing):
            raise Forbidden(_(
                "Kursus '%(slug)s' sudah ada dan dikelola pelatih lain. Ganti nama folder "
                "kursus, atau minta admin menjadikan Anda pemiliknya.", slug=slug))
        parsed, problems = load_course(folder, display_root=slug)
        if len(slug) > MAX_SLUG_LENGTH:
            problems.append(Problem(f"{slug}/", 1, _(
                "nama folder kursus paling panjang %(n)d karakter", n=MAX_SLUG_LENGTH)))
        elif parsed is not None:
            problems = _owner_problems(session, user, parsed, folder)
    if problems:
        return UploadCheck(slug, problems=[str(p) for p in problems])
    assert parsed is not None  # load_course returns a course whenever it reports no problem
    # One staged version per course: a newer upload replaces the one waiting, but only the
    # uploader's own (or, for an existing course, one its managers may replace).
    waiting = session.scalars(select(CourseUpload).where(CourseUpload.slug == slug)).all()
    for other in waiting:
        if other.uploaded_by_id != user.id and not user.has_role(Role.ADMIN) and (
                existing is None):
            raise Forbidden(_(
                "Kursus '%(slug)s' sedang diunggah pelatih lain dan menunggu diterbitkan. Ganti "
                "nama folder kursus, atau minta admin.", slug=slug))
    session.execute(delete(CourseUpload).where(CourseUpload.slug == slug))
    upload = CourseUpload(
        slug=slug, filename=name if len(name) <= 255 else f"{slug}.zip", title=parsed.title,
        version=parsed.version, content_hash=parsed.content_hash, size=len(data),
        uploaded_by_id=user.id, data=data,
    )
    session.add(upload)
    session.flush()
    return UploadCheck(slug, upload=upload)


def _owner_problems(
    session: DbSession, user: User, parsed: ParsedCourse, folder: Path
) -> list[Problem]:
    """A trainer cannot hand a course to someone else by editing `owner`; an admin can."""
    owner = parsed.owner_email
    if user.has_role(Role.ADMIN) or not owner or owner == user.email.lower():
        return []
    if session.scalar(select(User.id).where(User.email == parsed.owner_email)) is None:
        return []
    text = (folder / "course.md").read_text("utf-8-sig")
    line = parse_front_matter(text).line_of("owner")
    return [Problem(f"{parsed.slug}/course.md", line, _(
        "'owner' adalah email pengguna lain (%(other)s): isi dengan email Anda (%(mine)s) "
        "atau hapus barisnya. Admin dapat mengganti pemilik kursus.",
        other=parsed.owner_email, mine=user.email))]


def managed_upload(session: DbSession, upload_id: int, user: User) -> CourseUpload:
    """The CourseUpload with this id, for its uploader, the course's owner and admins. Raises
    NotFound for anyone else, and for an unknown id."""
    upload = session.get(CourseUpload, upload_id)
    if upload is None:
        raise NotFound()
    if user.has_role(Role.ADMIN) or upload.uploaded_by_id == user.id:
        return upload
    course = _course(session, upload.slug)
    if course is not None and can_manage(user, course):
        return upload
    raise NotFound()


def parse_upload(upload: CourseUpload) -> ParsedCourse:
    """The ParsedCourse of a staged archive, checked and parsed again (it passed when it was
    uploaded). Raises InvalidInput when it no longer passes (the checks changed since), or
    uploads.ArchiveRefused when the stored archive is no longer readable."""
    with extracted_course(upload.data, upload.filename) as folder:
        parsed, _problems = load_course(folder, display_root=folder.name)
    if parsed is None:
        raise InvalidInput(_("Unggahan ini tidak lagi lolos pemeriksaan. Unggah ulang arsipnya."))
    return parsed


@dataclass
class UploadPlan:
    """What publishing a staged upload would change, before it does (content.diff_course)."""

    upload: CourseUpload
    parsed: ParsedCourse
    course: Course | None
    diff: CourseDiff


def plan_upload(session: DbSession, upload: CourseUpload) -> UploadPlan:
    """An UploadPlan to preview: the staged upload parsed again and compared with the imported
    course of its slug (course None when new; diff_course says what would change, PRODUCT §3).

    Raises what parse_upload raises: InvalidInput when the archive no longer passes the
    checks."""
    parsed = parse_upload(upload)
    course = _course(session, upload.slug)
    return UploadPlan(upload, parsed, course, diff_course(session, course, parsed))


class ArchiveNotConfirmed(InvalidInput):
    """Publishing would archive steps learners worked in, and the trainer has not agreed."""


def diff_against_imported(session: DbSession, parsed: ParsedCourse) -> CourseDiff | None:
    """What re-importing ``parsed`` would change in its imported version (PRODUCT §3).

    Returns None when the course was never imported, or when there is no database yet:
    checking a course needs none, so a missing schema only means nothing to compare with.
    Raises nothing.
    """
    try:
        imported = session.scalar(select(Course).where(Course.slug == parsed.slug))
    except DBAPIError:
        session.rollback()
        return None
    return None if imported is None else diff_course(session, imported, parsed)


def change_summary(diff: CourseDiff) -> str:
    """The one sentence the preview and the result of publishing both say:
    "1 baru, 2 diubah, 3 tidak berubah, 1 diarsipkan". Raises nothing."""
    return str(_("%(new)d baru, %(changed)d diubah, %(unchanged)d tidak berubah, "
                 "%(retired)d diarsipkan", new=len(diff.new), changed=len(diff.changed),
                 unchanged=len(diff.unchanged), retired=len(diff.retired)))


def import_upload(
    session: DbSession, upload: CourseUpload, user: User, *, publish: bool,
    confirmed: bool = False,
) -> ImportResult:
    """Import a staged upload (published, or as a draft of a course learners cannot see yet) and
    delete it; returns the ImportResult. The uploading trainer becomes the owner of a course
    that has none.

    Raises ArchiveNotConfirmed when it would archive lessons or quizzes learners have
    progress in and the trainer has not `confirmed` that (the preview asks, PRODUCT §3);
    Forbidden when `user` no longer manages the course; InvalidInput for a published course
    imported as a draft, or as parse_upload does."""
    course = _course(session, upload.slug)
    if course is not None and not can_manage(user, course):
        raise Forbidden(_("Anda tidak lagi mengelola kursus ini."))
    if course is not None and course.published and not publish:
        raise InvalidInput(_(
            "Kursus ini sudah terbit: versi barunya hanya bisa langsung diterbitkan."))
    parsed = parse_upload(upload)
    if not confirmed and diff_course(session, course, parsed).at_risk:
        raise ArchiveNotConfirmed(_(
            "Versi ini mengarsipkan langkah yang sudah dikerjakan peserta. Centang "
            "konfirmasinya dulu, lalu terbitkan lagi."))
    result = import_and_record(
        session, parsed, f"upload:{upload.filename}", actor_id=user.id, source="upload",
        publish=publish,
    )
    if result.course.owner_id is None and user.roles & Role.TRAINER:
        result.course.owner_id = user.id
    session.delete(upload)
    session.flush()
    return result


def discard_upload(session: DbSession, upload: CourseUpload) -> None:
    """Delete a staged upload (flushed, the caller commits). Raises nothing."""
    session.delete(upload)
    session.flush()


# Previews ---------------------------------------------------------------------------------


def preview_media(upload: CourseUpload, name: str) -> tuple[bytes, str]:
    """(bytes, content type) of a staged course's media file, or of one of its scaled image
    variants ("foto.jpg.lentera-360w"), encoded on the fly. Raises NotFound for a name that
    is not one of them."""
    original, mark, width = name.partition(VARIANT_MARK)
    data, content_type = media_member(upload.data, upload.filename, original)
    if not mark:
        return data, content_type
    for served, kind, encoded in encode_variants(data, content_type):
        if f"{served}w" == width:
            return encoded, kind
    raise NotFound()


@dataclass
class Preview:
    """A staged course as unsaved model objects, for the learner's own templates."""

    course: Course
    modules: list[OutlineModule]
    steps: list[Lesson]

    def step(self, path: str) -> Lesson:
        """The step (an unsaved Lesson) at `path`. Raises NotFound when the course has none."""
        found = next((lesson for lesson in self.steps if lesson.path == path), None)
        if found is None:
            raise NotFound()
        return found

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        """(previous step, next step) of `lesson` in course order, None at either end."""
        i = self.steps.index(lesson)
        return (self.steps[i - 1] if i else None,
                self.steps[i + 1] if i + 1 < len(self.steps) else None)


def preview_of(parsed: ParsedCourse) -> Preview:
    """A Preview of a parsed course: unsaved Course, outline and steps for the learner's own
    templates. Never added to a session, so nothing of a preview reaches the database.
    Raises nothing."""
    course = Course(
        slug=parsed.slug, title=parsed.title, summary=parsed.summary,
        description_html=parsed.description_html, jp=parsed.jp, language=parsed.language,
        level=parsed.level, tags=parsed.tags, version=parsed.version, published=False,
    )
    modules = {
        pm.dir_name: OutlineModule(
            Module(dir_name=pm.dir_name, title=pm.title, intro_html=pm.intro_html,
                   position=position, retired=False), [])
        for position, pm in enumerate(parsed.modules, start=1)
    }
    steps = []
    for position, pl in enumerate(parsed.lessons, start=1):
        lesson = Lesson(
            path=pl.path, kind=pl.kind, title=pl.title, minutes=pl.minutes,
            body_html=pl.body_html, content_hash=pl.content_hash, position=position,
            retired=False,
        )
        if pl.quiz is not None:
            lesson.quiz = Quiz(
                pass_mark=pl.quiz.pass_mark, max_attempts=pl.quiz.max_attempts,
                shuffle=pl.quiz.shuffle, time_limit_minutes=pl.quiz.time_limit_minutes,
                question_count=pl.quiz.question_count,
            )
        modules[pl.module_dir].items.append(OutlineItem(lesson, False, False))
        steps.append(lesson)
    return Preview(course, [m for m in modules.values() if m.items], steps)


# Quiz keys: what a trainer checks before learners see it ----------------------------------


@dataclass
class KeyQuestion:
    kind: str  # single | multiple | short
    points: int
    prompt_html: str
    options: list[tuple[str, bool]]  # (sanitised html, correct)
    accepted: list[str]  # short answers as stored ("3.5 ± 0.1" for a number with tolerance)
    explanation_html: str


@dataclass
class QuizKey:
    """A quiz with its answers: only ever for the course's trainers and admins."""

    title: str
    path: str
    pass_mark: int
    questions: list[KeyQuestion]


def quiz_key(session: DbSession, course: Course, path: str) -> QuizKey:
    """The QuizKey (questions with their answers and explanations, pass mark in percent) of
    the live quiz `path` ("modul/kuis") of `course`.

    The caller has checked the user may manage `course` (managed_course). Raises NotFound
    when the course has no such live quiz."""
    lesson = session.scalar(
        select(Lesson).where(Lesson.course_id == course.id, Lesson.path == path,
                             Lesson.kind == "quiz", Lesson.retired.is_(False))
    )
    if lesson is None or lesson.quiz is None:
        raise NotFound()
    questions = [
        KeyQuestion(q.kind, q.points, q.prompt_html,
                    [(o.text_html, o.correct) for o in q.options], list(q.accepted),
                    q.explanation_html)
        for q in lesson.quiz.questions
    ]
    return QuizKey(lesson.title, lesson.path, lesson.quiz.pass_mark, questions)


def staged_quiz_key(parsed: ParsedCourse, path: str) -> QuizKey:
    """quiz_key for a quiz of a staged upload, from its parsed archive. Raises NotFound when
    it has no such quiz."""
    lesson = next((pl for pl in parsed.lessons if pl.path == path and pl.quiz), None)
    if lesson is None or lesson.quiz is None:
        raise NotFound()
    questions = [
        KeyQuestion(q.kind, q.points, q.prompt_html, list(q.options), list(q.accepted),
                    q.explanation_html)
        for q in lesson.quiz.questions
    ]
    return QuizKey(lesson.title, lesson.path, lesson.quiz.pass_mark, questions)


# Courses ----------------------------------------------------------------------------------


@dataclass
class TrainerCourse:
    course: Course
    enrolled: int
    pending: CourseUpload | None


@dataclass
class Dashboard:
    courses: list[TrainerCourse]
    new_uploads: list[CourseUpload]  # staged courses that were never imported


def dashboard(session: DbSession, user: User) -> Dashboard:
    """A Dashboard: the courses a trainer owns (every course, for an admin) with their enrolment
    counts and pending uploads, and the uploads of courses never imported. Raises nothing."""
    enrolled = (
        select(Enrolment.course_id, func.count().label("n"))
        .group_by(Enrolment.course_id)
        .subquery()
    )
    query = (
        select(Course, func.coalesce(enrolled.c.n, 0))
        .outerjoin(enrolled, enrolled.c.course_id == Course.id)
        .order_by(Course.title)
    )
    if not user.has_role(Role.ADMIN):
        query = query.where(Course.owner_id == user.id)
    rows = session.execute(query).all()
    uploads_query = (
        select(CourseUpload)
        .options(joinedload(CourseUpload.uploaded_by))
        .order_by(CourseUpload.uploaded_at.desc())
    )
    if not user.has_role(Role.ADMIN):
        owned = [course.slug for course, _n in rows]
        uploads_query = uploads_query.where(
            or_(CourseUpload.uploaded_by_id == user.id, CourseUpload.slug.in_(owned))
        )
    uploads = {u.slug: u for u in reversed(session.scalars(uploads_query).all())}
    imported = set(session.scalars(select(Course.slug).where(Course.slug.in_(list(uploads)))))
    return Dashboard(
        [TrainerCourse(course, n, uploads.get(course.slug)) for course, n in rows],
        [u for slug, u in uploads.items() if slug not in imported],
    )


@dataclass
class CoursePage:
    course: Course
    owner: User | None
    versions: list[CourseVersion]
    pending: CourseUpload | None
    steps: int
    quizzes: list[Row[str, str]] = field(default_factory=list)  # .path, .title, in order


def course_page(session: DbSession, slug: str, user: User) -> CoursePage:
    """A CoursePage: a course as its trainer manages it: state, owner, version history (newest
    first), pending upload, live step count and quizzes. Raises NotFound when `user` may not
    manage it (managed_course)."""
    course = managed_course(session, slug, user)
    versions = session.scalars(
        select(CourseVersion)
        .options(joinedload(CourseVersion.imported_by))
        .where(CourseVersion.course_id == course.id)
        .order_by(CourseVersion.id.desc())
    ).all()
    pending = session.scalar(
        select(CourseUpload).where(CourseUpload.slug == slug).order_by(CourseUpload.id.desc())
    )
    steps = session.execute(
        select(func.count()).where(Lesson.course_id == course.id, Lesson.retired.is_(False))
    ).scalar_one()
    owner = session.get(User, course.owner_id) if course.owner_id else None
    quizzes = session.execute(
        select(Lesson.path, Lesson.title)
        .where(Lesson.course_id == course.id, Lesson.kind == "quiz", Lesson.retired.is_(False))
        .order_by(Lesson.position)
    ).all()
    return CoursePage(course, owner, list(versions), pending, steps,
                      list(quizzes))


def set_published(session: DbSession, course: Course, user: User, published: bool) -> bool:
    """Show a course to learners, or hide it again (audited). Returns False when it already
    was so, True when it changed. Raises NotFound when `user` may not manage it."""
    if not can_manage(user, course):
        raise NotFound()
    if course.published == published:
        return False
    course.published = published
    action = "course.publish" if published else "course.unpublish"
    record(session, user.id, action, f"course:{course.slug}", version=course.version)
    return True


def assign_owner(session: DbSession, course: Course, admin: User, email: str) -> User:
    """An admin gives a course to a trainer (a later import's `owner` may give it again);
    returns the new owner (audited). Raises Forbidden for someone not an admin, InvalidInput
    for an unknown email or a person who is not a trainer."""
    if not admin.has_role(Role.ADMIN):
        raise Forbidden()
    email = (email or "").strip().lower()
    owner = session.scalar(select(User).where(User.email == email))
    if owner is None:
        raise InvalidInput(_("Tidak ada pengguna dengan email %(email)s.", email=email))
    if not owner.roles & Role.TRAINER:
        raise InvalidInput(_(
            "%(name)s belum berperan pelatih. Beri peran pelatih lebih dulu.", name=owner.name))
    previous = session.get(User, course.owner_id) if course.owner_id else None
    course.owner_id = owner.id
    record(session, admin.id, "course.owner", f"course:{course.slug}", owner=owner.email,
           previous=previous.email if previous else None)
    return owner
