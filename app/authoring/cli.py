"""flask courses check|import|new: the trainer's command line (PRODUCT §4)."""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.extensions import db
from app.services.authoring import import_and_record
from app.services.content import load_course
from app.services.content.loader import SLUG
from app.services.content.scaffold import scaffold_course

courses = AppGroup("courses", help="Check and import course folders.")


def _load_all(paths):
    """Parse every folder; print every problem; return the parsed courses or exit 1."""
    parsed, problems = [], []
    for path in paths:
        course, found = load_course(Path(path), display_root=str(path).rstrip("/"))
        problems.extend(found)
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
        click.echo(_(
            "%(slug)s: %(state)s; %(created)d baru, %(updated)d diperbarui, "
            "%(unchanged)d tetap, %(retired)d diarsipkan",
            slug=r.course.slug, state=state, created=r.created, updated=r.updated,
            unchanged=r.unchanged, retired=r.retired))


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
