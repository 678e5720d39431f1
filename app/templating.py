"""What templates can call beyond Flask and its extensions, registered in one place.

Each helper lives beside the feature it speaks for (a filter for the audit log in the trainer
area, the offline context in app/offline); this module only hands them to Jinja, so one look
here shows every name a template may use. create_app calls init_app after the blueprints.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_percent, format_time, get_locale

from app.access import current_user_can
from app.models import Role, utcnow


def init_app(app: Flask) -> None:
    """Jinja's whitespace rules, then every template global, filter and context processor."""
    from app.admin.forms import role_labels
    from app.auth import device_name
    from app.authoring.views import audit_label, format_when, version_source
    from app.learn.views import url_for_lesson
    from app.ledger import ledger_labels
    from app.offline.views import filesize, offline_context
    from app.web import (
        cached_fragment,
        format_jp,
        format_score,
        htmx_request_targets_fragment,
        nav_here,
        return_path,
    )

    env = app.jinja_env
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.globals.update(
        current_locale=lambda: str(get_locale()),
        is_htmx=htmx_request_targets_fragment,
        now=utcnow,
        cached_fragment=cached_fragment,
        nav_here=nav_here,
        return_path=return_path,
        can_report=lambda: current_user_can(Role.SUPERVISOR | Role.ADMIN),
        can_admin=lambda: current_user_can(Role.ADMIN),
        can_author=lambda: current_user_can(Role.TRAINER | Role.ADMIN),
        url_for_lesson=url_for_lesson,
        audit_label=audit_label,
        version_source=version_source,
        role_labels=role_labels,
    )
    env.filters.update(
        jp=format_jp,
        score=format_score,
        percent=lambda v: "–" if v is None else format_percent(v),
        time_short=lambda v: format_time(v, "HH:mm"),
        date_long=lambda v: format_date(v, "long"),
        when=format_when,
        device_name=device_name,
        filesize=filesize,
    )
    app.context_processor(ledger_labels)
    app.context_processor(offline_context)
