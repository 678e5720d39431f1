"""flask courses check|import|new: the trainer's command line (PRODUCT §4)."""

import os
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.extensions import db
from app.services.authoring import change_summary, diff_against_imported, import_and_record
from app.services.content import check_course
from app.services.content.loader import SLUG
from app.services.content.moodle import convert_bank, quiz_markdown, slugify
from app.services.content.scaffold import scaffold_course

courses = AppGroup("courses", help="Check and import course folders.")


def _cores() -> int:
    """The CPUs this process may be scheduled on (its affinity mask, which `taskset` and
    cpusets set; a CPU quota such as docker's --cpus is not seen)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _load_all(paths):
    """Parse every folder, its lessons rendered on every core; print every problem and
    warning; return the courses or exit 1."""
    parsed, problems = [], []
    for path in paths:
        course, found, warnings = check_course(Path(path), display_root=str(path).rstrip("/"),
                                               processes=_cores())
        problems.extend(found)
        for warning in warnings:
            click.echo(str(warning), err=True)
        if course:
            parsed.append((path, course))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(_("%(n)d kesalahan ditemukan; tidak ada yang diimpor.", n=len(problems)),
                   err=True)
        raise SystemExit(1)
    return parsed


@courses.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(file_okay=False))
def check(paths):
    """Validate course folders; print path:line: message for each problem; exit 1 on any."""
    for _path, course in _load_all(paths):
        click.echo(_("%(slug)s: OK (%(modules)d modul, %(steps)d langkah)", slug=course.slug,
                     modules=len(course.modules), steps=len(course.lessons)))
        diff = diff_against_imported(db.session, course)
        if diff is None:
            continue
        click.echo(_("%(slug)s: dibanding versi yang sudah diimpor: %(summary)s",
                     slug=course.slug, summary=change_summary(diff)))
        for step in diff.at_risk:
            click.echo(_(
                "%(slug)s: %(id)s (%(title)s) akan diarsipkan; %(n)d peserta sudah "
                "mengerjakannya. Beri berkas barunya 'id: %(id)s' untuk menjaga kemajuan mereka.",
                slug=course.slug, id=step.identity, title=step.title, n=step.learners))


@courses.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(file_okay=False))
@click.option("--publish", is_flag=True, help="Make the courses visible to learners.")
def import_(paths, publish):
    """Check and import (or update) course folders, all in one transaction."""
    parsed = _load_all(paths)
    try:
        results = [
            import_and_record(db.session, course, str(Path(path).resolve()), actor_id=None,
                              source="cli", publish=publish)
            for path, course in parsed
        ]
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for r in results:
        state = _("diterbitkan") if r.course.published else _("draf")
        click.echo(_("%(slug)s: %(state)s; %(summary)s", slug=r.course.slug, state=state,
                     summary=change_summary(r.diff)))


@courses.command("new")
@click.argument("slug")
@click.option("--dir", "parent", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Where to create the course folder.")
@click.option("--title", default=None, help="The course title (default: from the slug).")
@click.option("--owner", default=None, help="The trainer's email, written into course.md.")
def new(slug, parent, title, owner):
    """Scaffold a course folder (course.md, a module, two lessons, a quiz, media/)."""
    if not SLUG.fullmatch(slug):
        raise click.BadParameter(
            _("nama kursus hanya huruf kecil, angka dan tanda '-', misalnya literasi-data"),
            param_hint="SLUG")
    folder = Path(parent) / slug
    if folder.exists():
        raise click.ClickException(_("%(path)s sudah ada; tidak ada yang diubah.", path=folder))
    title = title or slug.replace("-", " ").capitalize()
    for path in scaffold_course(folder, title=title, owner=owner):
        click.echo(str(path))
    click.echo(_("Kursus baru dibuat. Ubah isinya, lalu periksa dengan: flask courses check "
                 "%(path)s", path=folder))


@courses.command("convert-quiz")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_dir", default=".", show_default=True,
              type=click.Path(file_okay=False), help="The module folder to write the quizzes to.")
def convert_quiz(file, out_dir):
    """Convert a Moodle question bank (GIFT or Aiken) into Markdown quiz files.

    One quiz per GIFT category. Changes (weights become all-or-nothing) and what cannot be
    converted (matching, essays) are listed as FILE:line: message.
    """
    source = Path(file)
    try:
        text = source.read_text("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(_("%(path)s bukan teks UTF-8", path=file)) from exc
    conversion = convert_bank(text, source.stem)
    for line, message in sorted(conversion.errors + conversion.skipped + conversion.notes):
        click.echo(f"{file}:{line}: {message}", err=True)
    if conversion.errors or not conversion.question_count:
        raise click.ClickException(_("Tidak ada yang ditulis: perbaiki %(path)s dulu.",
                                     path=file))
    out = Path(out_dir)
    targets = [out / f"{n:02d}-{slugify(quiz.title)}.md"
               for n, quiz in enumerate(conversion.quizzes, start=1)]
    existing = [str(t) for t in targets if t.exists()]
    if existing:
        raise click.ClickException(_("%(paths)s sudah ada; tidak ada yang ditulis.",
                                     paths=", ".join(existing)))
    out.mkdir(parents=True, exist_ok=True)
    for target, quiz in zip(targets, conversion.quizzes, strict=True):
        target.write_text(quiz_markdown(quiz), encoding="utf-8")
        click.echo(_("%(path)s: %(n)d soal", path=target, n=len(quiz.questions)))
    click.echo(_("%(n)d soal dikonversi, %(skipped)d tidak dapat dikonversi.",
                 n=conversion.question_count, skipped=len(conversion.skipped)))
