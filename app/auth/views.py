from urllib.parse import urlsplit

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.access import PUBLIC, SIGNED_IN, access
from app.auth import bp
from app.auth.forms import EmptyForm, LanguageForm, LoginForm
from app.extensions import db, limiter
from app.services.accounts import authenticate
from app.web import render_page


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce people to another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("catalog.index")


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("10 per minute; 100 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    if form.validate_on_submit():
        user = authenticate(db.session, form.login.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(form.next.data))
        error = _("Email/NIP atau kata sandi salah.")
    # Errors come back with 200 so that a boosted (htmx) form swaps them in too.
    return render_page("auth/login.html", form=form, error=error)


@bp.route("/logout", methods=["POST"])
@access(SIGNED_IN)
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("Anda sudah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@access(PUBLIC)
def language():
    """Choose the interface language: stored on the account, or in the session for guests."""
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
        session["locale"] = form.locale.data
    return redirect(_safe_next(form.next.data))
