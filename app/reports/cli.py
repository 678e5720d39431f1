"""flask reports rollups: recount the report's per-unit roll-ups from the rows themselves."""

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.extensions import db
from app.services import rollups

reports = AppGroup("reports", help="The completion report.")


@reports.command("rollups")
def rollups_command():
    """Recount every unit's roll-up. Needed once after upgrading a database that already holds
    learners, or after loading rows around the application (COPY, a restore)."""
    rollups.refresh(db.session)
    db.session.commit()
    click.echo(_("Ringkasan laporan per unit sudah dihitung ulang."))
