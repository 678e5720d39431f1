from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.access import PUBLIC, SIGNED_IN, access
from app.auth import bp
from app.auth.forms import EmptyForm, LanguageForm, LoginForm, SetPasswordForm
from app.extensions import db, limiter
from app.services.accounts import authenticate
from app.services.errors import InvalidInput
from app.services.password_links import redeem_link, valid_link
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


@bp.route("/password/<token>", methods=["GET", "POST"])
@access(PUBLIC)
@limiter.limit("10 per minute; 100 per hour", methods=["POST"])
def set_password(token: str):
    """The one-time link from a staff import: choose a password, then log in."""
    link = valid_link(db.session, token)
    form = SetPasswordForm()
    error = None
    if form.validate_on_submit():
        config = current_app.config
        cost = (config["PASSWORD_TIME_COST"], config["PASSWORD_MEMORY_COST"])
        try:
            user = redeem_link(db.session, token, form.password.data, cost=cost)
        except InvalidInput as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            if current_user.is_authenticated:
                logout_user()
            flash(_("Kata sandi tersimpan. Silakan masuk, %(name)s.", name=user.name), "info")
            return redirect(url_for("auth.login"), code=303)
    response = render_page("auth/set_password.html", form=form, error=error, person=link.user,
                           token=token)
    response.headers["Cache-Control"] = "no-store"
    return response
