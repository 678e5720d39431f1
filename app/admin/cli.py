"""flask units import / flask users import: the organisation and staff from CSV (PRODUCT §4).

`register` adds both to the command line: `users import` joins the accounts' `users` group
(app.auth.cli) from here, where the staff import and its password links live.
"""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import gettext as _

from app.admin.links import deliver, link_url
from app.auth.cli import users
from app.extensions import db
from app.services.staff import import_staff
from app.services.units import import_units

units = AppGroup("units", help="Manage the organisation tree.")


def _report(path: str, problems) -> None:
    for problem in problems:
        click.echo(f"{path}:{problem.line}: {problem.message}", err=True)


@units.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_units_command(file):
    """Create or update units from CSV (code,name,parent_code); parents may come later."""
    result = import_units(db.session, Path(file).read_bytes())
    if result.problems:
        db.session.rollback()
        _report(file, result.problems)
        raise click.ClickException(_("%(n)d kesalahan ditemukan; tidak ada unit yang diimpor.",
                                     n=len(result.problems)))
    db.session.commit()
    click.echo(_("Unit: %(created)d baru, %(updated)d diperbarui.", created=result.created,
                 updated=result.updated))


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows, skip the bad ones.")
@with_appcontext
def import_users_command(file, skip_invalid):
    """Create or update users from CSV (email,name,nip,unit_code,role); bad rows by line."""
    result = import_staff(db.session, Path(file).read_bytes(), skip_invalid=skip_invalid)
    _report(file, result.problems)
    if not result.applied:
        db.session.rollback()
        raise click.ClickException(_(
            "%(n)d kesalahan ditemukan; tidak ada yang diimpor (pakai --skip-invalid untuk "
            "mengimpor baris yang benar saja).", n=len(result.problems)))
    db.session.commit()
    click.echo(_("Pengguna: %(created)d baru, %(updated)d diperbarui, %(unchanged)d tetap, "
                 "%(skipped)d baris dilewati.", created=result.created, updated=result.updated,
                 unchanged=result.unchanged, skipped=len(result.skipped_lines)))
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"] or None):
        mailed, to_hand_out = deliver(result.links)
        if mailed:
            click.echo(_("%(n)d tautan kata sandi dikirim lewat email.",
                         n=len(result.links) - len(to_hand_out)))
        if to_hand_out:
            click.echo(_("Tautan sekali pakai untuk membuat kata sandi (berlaku 7 hari):"))
            for link in to_hand_out:
                click.echo(f"  {link.email}  {link_url(link.secret)}")


def register(app: Flask) -> None:
    """Put the organisation's commands on the app's command line: `flask units import` and
    `flask users import`."""
    app.cli.add_command(units)
    users.add_command(import_users_command)
