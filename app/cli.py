"""Registers the command groups, each defined next to the code it drives."""

from flask import Flask


def init_app(app: Flask) -> None:
    from app.admin.cli import units
    from app.auth.cli import users
    from app.authoring.cli import courses
    from app.demo import demo
    from app.reports.cli import reports

    app.cli.add_command(courses)
    app.cli.add_command(users)
    app.cli.add_command(units)
    app.cli.add_command(demo)
    app.cli.add_command(reports)
