"""Who may open which view: one declaration per view, one check for every request.

Every view says who may use it with @access(...). A view that declares nothing is refused,
so a forgotten declaration fails closed; tests walk the URL map to prove none is missing.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from app.extensions import login_manager
from app.models import Role

PUBLIC = "public"
SIGNED_IN = Role.LEARNER | Role.TRAINER | Role.SUPERVISOR | Role.ADMIN


_View = TypeVar("_View", bound=Callable[..., object])


def access(rule: str | Role) -> Callable[[_View], _View]:
    """Declare who may use a view: PUBLIC, SIGNED_IN, or a Role flag (any one of them suffices)."""

    def decorate(view: _View) -> _View:
        # Kept on the function object itself; rule_for reads it back.
        setattr(view, "access", rule)  # noqa: B010 (a plain function has no declared attribute)
        return view

    return decorate


def rule_for(endpoint: str | None) -> str | Role | None:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "access", None)


def check_access():
    """before_request: let the view run, send a stranger to log in, or refuse with 403."""
    if request.endpoint is None:  # no route matched: the 404 handler answers
        return None
    rule = rule_for(request.endpoint)
    if request.path.startswith("/api/"):
        return _check_api_access(rule)
    if rule == PUBLIC:
        return None
    if not current_user.is_authenticated:
        if rule is None:
            abort(404)
        if request.method != "GET":  # "next" must be a page, not a form's target
            return redirect(url_for(login_manager.login_view))
        return login_manager.unauthorized()
    if rule is None or not (current_user.roles & rule):
        abort(403)
    return None


def _check_api_access(rule):
    """The API's caller is whoever its bearer token names, never the session cookie's user:
    401 without a working token, 403 for a role the rule does not admit."""
    from app.api.auth import load_bearer

    user = load_bearer()
    if rule == PUBLIC:
        return None
    if rule is None:
        abort(404)
    if user is None:
        abort(401)
    if not (user.roles & rule):
        abort(403)
    return None


def current_user_can(role: Role) -> bool:
    return bool(current_user.is_authenticated and current_user.roles & role)
