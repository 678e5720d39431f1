from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, request, url_for
from flask import session as cookie_session  # the browser's signed cookie, not the database's
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.access import PUBLIC, SIGNED_IN, access
from app.auth import bp
from app.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    ProfileForm,
    RegisterForm,
    SetPasswordForm,
)
from app.extensions import db, redis_client
from app.models import User, utcnow
from app.services import accounts, api_tokens, sessions
from app.services.errors import InvalidInput, TooManyAttempts
from app.services.mail import MailSettings, build_message, send_all
from app.services.password_links import (
    RESET_LIFETIME,
    confirm_address,
    issue_link,
    redeem_link,
    valid_link,
)
from app.services.throttle import throttle_store
from app.web import external_url, render_page


def _safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce people to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("catalog.index")


def password_cost() -> tuple[int, int]:
    config = current_app.config
    return config["PASSWORD_TIME_COST"], config["PASSWORD_MEMORY_COST"]


def sign_in_throttle():
    """The shared failed-attempt store: Redis when REDIS_URL is set, else the database."""
    return throttle_store(db.session, current_app.config.get("REDIS_URL"))


def sign_in(user: User, *, remember: bool = False) -> None:
    """Start a fresh server-side session: a new session cookie and CSRF token, no fixation."""
    locale = cookie_session.get("locale")
    cookie_session.clear()
    if locale:
        cookie_session["locale"] = locale
    sessions.open_session(db.session, user, device=request.user_agent.string,
                          lifetime=current_app.config["REMEMBER_COOKIE_DURATION"])
    db.session.commit()
    login_user(user, remember=remember)


def _throttled_message(exc: TooManyAttempts) -> str:
    minutes = accounts.retry_minutes(exc, utcnow())
    return _("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam %(n)d menit, atau "
             "pakai \"Lupa kata sandi?\".", n=minutes)


@bp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    error = None
    retry_after = None
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(
                db.session, form.login.data, form.password.data, address=request.remote_addr,
                throttle=sign_in_throttle(), cost=password_cost())
        except TooManyAttempts as exc:
            db.session.rollback()
            error = _throttled_message(exc)
            retry_after = max(1, int((exc.retry_at - utcnow()).total_seconds()))
        else:
            db.session.commit()
            if user is not None:
                sign_in(user, remember=form.remember.data)
                return redirect(_safe_next(form.next.data))
            error = _("Email/NIP atau kata sandi salah.")
    # Errors come back with 200 so that a boosted (htmx) form swaps them in too.
    response = render_page("auth/login.html", form=form, error=error,
                           registration=current_app.config.get("SELF_REGISTRATION"))
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.route("/logout", methods=["POST"])
@access(SIGNED_IN)
def logout():
    """Ends this session on the server: its cookies, replayed, open nothing any more."""
    sessions.close_session(db.session, cookie_session.get("_user_id", ""), redis_client())
    db.session.commit()
    _forget_browser_session()
    flash(_("Anda sudah keluar."), "info")
    return redirect(url_for("auth.login"))


def _forget_browser_session() -> None:
    """Sign out in Flask-Login, empty the cookie session and delete the remember cookie."""
    logout_user()
    locale = cookie_session.get("locale")
    remember = cookie_session.get("_remember")
    cookie_session.clear()
    if locale:
        cookie_session["locale"] = locale
    if remember:
        cookie_session["_remember"] = remember  # "clear": Flask-Login deletes the remember cookie


@bp.route("/language", methods=["POST"])
@access(PUBLIC)
def language():
    """Choose the interface language: stored on the account, or in the session for guests."""
    form = LanguageForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            current_user.locale = form.locale.data
            db.session.commit()
        cookie_session["locale"] = form.locale.data
    return redirect(_safe_next(form.next.data))


@bp.route("/password/<token>", methods=["GET", "POST"])
@access(PUBLIC)
def set_password(token: str):
    """The one-time link from a staff import or a reset: choose a password, then log in.

    The secret in the path is redacted from access logs (app/logredact.py).
    """
    link = valid_link(db.session, token[:100])
    form = SetPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            # DataRequired: a validated form has the password (the service checks its strength).
            user = redeem_link(db.session, token, form.password.data or "",
                               cost=password_cost())
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


def _mail_later(response, to: tuple[str, str], subject: str, body: str):
    """Send after the response has gone out, so its timing tells nothing about the account."""
    settings = MailSettings.from_config(current_app.config)
    if settings is None:
        current_app.logger.warning("MAIL_SERVER is not set: an email to a user was not sent")
        return response
    message = build_message(settings, to, subject, body)

    def send():
        if send_all(settings, [message]):
            current_app.logger.error("Could not send an email to a user")

    # The app itself, not the proxy, which is gone once the request ends. Flask types
    # current_app as Flask, so the proxy's documented method is unknown to mypy.
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def send_in_context():
        with app.app_context():
            send()

    response.call_on_close(send_in_context)
    return response


@bp.route("/password/forgot", methods=["GET", "POST"])
@access(PUBLIC)
def forgot_password():
    """"Lupa kata sandi?": the same answer whether or not the account exists."""
    form = ForgotPasswordForm()
    error = None
    if form.validate_on_submit():
        try:
            user = accounts.reset_target(db.session, form.login.data,
                                         address=request.remote_addr, throttle=sign_in_throttle())
        except TooManyAttempts as exc:
            db.session.rollback()
            error = _("Terlalu banyak permintaan dari jaringan ini. Coba lagi dalam %(n)d menit.",
                      n=accounts.retry_minutes(exc, utcnow()))
        else:
            mail = None
            if user is not None:
                secret, expires_at = issue_link(db.session, user.id, lifetime=RESET_LIFETIME)
                with force_locale(user.locale or "id"):
                    mail = ((user.name, user.email), _("Atur ulang kata sandi Lentera"), _(
                        "Halo %(name)s,\n\nAda permintaan untuk mengatur ulang kata sandi akun "
                        "Lentera Anda. Buka tautan ini untuk memilih kata sandi baru (berlaku "
                        "sampai %(expires)s, hanya sekali pakai):\n\n%(url)s\n\nJika Anda tidak "
                        "memintanya, abaikan email ini; kata sandi Anda tetap.\n",
                        name=user.name, url=external_url("auth.set_password", token=secret),
                        expires=expires_at.strftime("%Y-%m-%d %H:%M UTC")))
            db.session.commit()
            response = render_page("auth/forgot_sent.html")
            return _mail_later(response, *mail) if mail else response
    return render_page("auth/forgot.html", form=form, error=error)


@bp.route("/register", methods=["GET", "POST"])
@access(PUBLIC)
def register():
    """Public self-registration, when the operator turns it on (SELF_REGISTRATION=1)."""
    if not current_app.config.get("SELF_REGISTRATION"):
        abort(404)
    form = RegisterForm()
    error = None
    if form.validate_on_submit():
        try:
            user, created = accounts.register(
                db.session, email=form.email.data, name=form.name.data,
                password=form.password.data, locale=cookie_session.get("locale"),
                cost=password_cost())
        except InvalidInput as exc:
            db.session.rollback()
            error = str(exc)
        else:
            with force_locale(user.locale or "id"):
                if created:
                    secret, expires_at = issue_link(db.session, user.id, purpose="confirm",
                                                    actor_id=user.id)
                    mail = ((user.name, user.email), _("Konfirmasi email Lentera Anda"), _(
                        "Halo %(name)s,\n\nBuka tautan ini untuk mengonfirmasi alamat email Anda "
                        "dan mengaktifkan akun Lentera (berlaku sampai %(expires)s):\n\n%(url)s\n",
                        name=user.name, url=external_url("auth.confirm", token=secret),
                        expires=expires_at.strftime("%Y-%m-%d %H:%M UTC")))
                else:
                    mail = ((user.name, user.email), _("Akun Lentera Anda"), _(
                        "Halo %(name)s,\n\nSeseorang mencoba mendaftar di Lentera dengan alamat "
                        "email ini, tetapi Anda sudah punya akun. Masuklah, atau pakai \"Lupa "
                        "kata sandi?\" di %(url)s\n", name=user.name,
                        url=external_url("auth.forgot_password")))
            db.session.commit()
            return _mail_later(render_page("auth/register_sent.html"), *mail)
    return render_page("auth/register.html", form=form, error=error)


@bp.route("/register/confirm/<token>")
@access(PUBLIC)
def confirm(token: str):
    """The link in the registration email: the account becomes active."""
    user = confirm_address(db.session, token[:100])
    db.session.commit()
    flash(_("Alamat email terkonfirmasi. Silakan masuk, %(name)s.", name=user.name), "info")
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@access(SIGNED_IN)
def account():
    """"Akun saya": name and language, password, devices, sign out everywhere."""
    profile = ProfileForm(prefix="profile", obj=current_user if request.method == "GET" else None)
    if request.method == "GET":
        profile.locale.data = current_user.locale or ""
    password = ChangePasswordForm(prefix="password")
    error = password_error = None
    if request.method == "POST" and request.form.get("action") == "profile":
        if profile.validate_on_submit():
            try:
                accounts.update_profile(db.session, current_user, name=profile.name.data,
                                        locale=profile.locale.data or None)
            except InvalidInput as exc:
                db.session.rollback()
                error = str(exc)
            else:
                db.session.commit()
                if current_user.locale:
                    cookie_session["locale"] = current_user.locale
                flash(_("Profil disimpan."), "info")
                return redirect(url_for("auth.account"), code=303)
    elif request.method == "POST" and request.form.get("action") == "password":
        if password.validate_on_submit():
            user = current_user._get_current_object()
            try:
                accounts.change_password(db.session, user, password.current.data,
                                         password.password.data, cost=password_cost())
            except InvalidInput as exc:
                db.session.rollback()
                password_error = str(exc)
            else:
                db.session.commit()
                sign_in(user)  # every other device is signed out; this one carries on
                flash(_("Kata sandi diganti. Perangkat lain sudah dikeluarkan."), "info")
                return redirect(url_for("auth.account"), code=303)
    elif request.method == "POST":
        abort(400)
    return render_page(
        "auth/account.html", profile=profile, password=password, error=error,
        password_error=password_error,
        devices=sessions.sessions_of(db.session, current_user.id),
        tokens=api_tokens.list_tokens(db.session, current_user),
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@access(SIGNED_IN)
def revoke_api_token(token_id: int):
    """Revoke one of the person's own API tokens (an app on a lost phone, say)."""
    api_tokens.revoke_token(db.session, current_user, token_id)
    db.session.commit()
    flash(_("Token API dicabut."), "info")
    return redirect(url_for("auth.account"), code=303)


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@access(SIGNED_IN)
def sign_out_everywhere():
    """"Keluar dari semua perangkat": every session, remember cookie and API token ends."""
    user = current_user._get_current_object()
    sessions.end_all_sessions(db.session, user)
    db.session.commit()
    _forget_browser_session()
    flash(_("Anda sudah keluar dari semua perangkat."), "info")
    return redirect(url_for("auth.login"), code=303)
