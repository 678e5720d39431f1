"""Signed-in sessions for simulated learners, made by the app itself instead of 300 logins.

Logging 300 learners in through /login would spend most of a minute on Argon2 and trip the
login rate limit (every simulated learner comes from 127.0.0.1). The benchmark measures
reading, completing and quizzes, so it signs each learner in inside a test request context:
the app's own server-side session (services/sessions.open_session, as /login makes it),
Flask-Login's own login_user, Flask-WTF's own CSRF token, Flask's own session signer. The
session is bound (Flask-Login "strong" protection) to 127.0.0.1 and the benchmark's User-Agent,
which is what the simulated learners then send.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import session
from flask_login import login_user
from flask_wtf.csrf import generate_csrf

from bench.settings import USER_AGENT


@dataclass(frozen=True)
class SignedIn:
    user_id: int
    cookie: str  # the value of the "session" cookie
    csrf: str  # for the csrf_token field and the X-CSRFToken header


def sign_in(app, user_ids: list[int]) -> list[SignedIn]:
    from app.extensions import db
    from app.models import User
    from app.services.sessions import open_session

    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        users = db.session.query(User).filter(User.id.in_(user_ids)).order_by(User.id).all()
        for user in users:  # one LoginSession row each, as a sign-in through /login makes
            open_session(db.session, user, device=USER_AGENT)
        refs = {user.id: user.session_ref for user in users}
        db.session.commit()
        users = db.session.query(User).filter(User.id.in_(user_ids)).order_by(User.id).all()
        db.session.expunge_all()
        db.session.remove()
    signed = []
    for user in users:
        # A fresh app context each time: Flask-WTF caches the CSRF token on `g`.
        with app.app_context(), app.test_request_context(
            "/", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": USER_AGENT},
        ):
            user.session_ref = refs[user.id]  # expunged: get_id() reads this attribute
            login_user(user)
            token = generate_csrf()
            signed.append(SignedIn(user.id, serializer.dumps(dict(session)), token))
    return signed
