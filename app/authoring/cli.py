"""flask courses check|import: the trainer's command line (PRODUCT §4)."""

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.extensions import db
from app.services.audit import record
from app.services.content import import_course, load_course

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
            import_course(db.session, course, str(Path(path).resolve()), publish=publish)
            for path, course in parsed
        ]
        for r in results:
            record(db.session, None, "course.import", f"course:{r.course.slug}",
                   source="cli", version=r.course.version, created=r.created,
                   updated=r.updated, retired=r.retired, published=r.course.published)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for r in results:
        state = _("diterbitkan") if r.course.published else _("draf")
        click.echo(_(
            "%(slug)s: %(state)s; %(created)d baru, %(updated)d diperbarui, "
            "%(unchanged)d tetap, %(retired)d dipensiunkan",
            slug=r.course.slug, state=state, created=r.created, updated=r.updated,
            unchanged=r.unchanged, retired=r.retired))
