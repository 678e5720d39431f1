"""Registers the command groups, each defined next to the code it drives."""

from flask import Flask
from flask.cli import FlaskGroup


def init_app(app: Flask) -> None:
    from app.admin import cli as admin_cli
    from app.auth.cli import users
    from app.authoring.cli import courses
    from app.demo import demo
    from app.notifications.cli import reminders
    from app.reports.cli import reports

    app.cli.add_command(courses)
    app.cli.add_command(users)
    admin_cli.register(app)  # `units import`, and `users import` into the group above
    app.cli.add_command(demo)
    app.cli.add_command(reminders)
    app.cli.add_command(reports)


def main() -> None:
    """The `lentera` command an installed package puts on the PATH: `flask --app app:create_app`
    without the --app (`lentera db upgrade`, `lentera demo`, `lentera reminders send`…)."""
    from app import create_process_app

    FlaskGroup(name="lentera", create_app=create_process_app).main()
