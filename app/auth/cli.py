"""flask users create: accounts from the command line (PRODUCT §4)."""

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from app.extensions import db
from app.models import Role
from app.services.accounts import create_user
from app.services.errors import InvalidInput
from app.services.nip import mask_nip

users = AppGroup("users", help="Create and manage user accounts.")


def password_cost() -> tuple[int, int]:
    return current_app.config["PASSWORD_TIME_COST"], current_app.config["PASSWORD_MEMORY_COST"]


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", "role", required=True,
              help="learner, trainer, supervisor or admin; several separated by commas.")
@click.option("--nip", default=None, help="18-digit NIP (spaces allowed).")
@click.option("--unit", "unit_code", default=None, help="Code of the user's unit.")
@click.option("--password", default=None, help="Prompted for (hidden) when not given.")
def create(email, name, role, nip, unit_code, password):
    """Create a user (prompts for the password if not given)."""
    try:
        roles = Role.parse(role)
    except ValueError:
        raise click.BadParameter(
            _("peran tidak dikenal: %(role)s", role=role), param_hint="--role"
        ) from None
    if password is None:
        password = click.prompt(_("Kata sandi"), hide_input=True, confirmation_prompt=True)
    try:
        user = create_user(
            db.session, email=email, name=name, roles=roles, password=password, nip=nip,
            unit_code=unit_code, cost=password_cost(),
        )
    except InvalidInput as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    nip_text = f", NIP {mask_nip(user.nip)}" if user.nip else ""
    click.echo(_("Pengguna dibuat: %(email)s (%(roles)s%(nip)s)",
                 email=user.email, roles=", ".join(Role(user.roles).names), nip=nip_text))
