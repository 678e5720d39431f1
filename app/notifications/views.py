from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import SIGNED_IN, access
from app.extensions import db
from app.models import Role
from app.notifications import bp
from app.notifications.forms import PreferencesForm
from app.services import reminders
from app.web import local_calendar, render_page


@bp.route("/me/notifications", methods=["GET", "POST"])
@access(SIGNED_IN)
def preferences():
    """Which reminder emails the person wants; the notices of their mandatory courses."""
    form = PreferencesForm()
    is_supervisor = current_user.has_role(Role.SUPERVISOR)
    if form.validate_on_submit():
        reminders.set_preferences(db.session, current_user, reminders=form.reminders.data,
                                  digest=form.digest.data)
        db.session.commit()
        flash(_("Pengaturan pemberitahuan disimpan."), "success")
        return redirect(url_for("notifications.preferences"), code=303)
    if not form.is_submitted():
        form.reminders.data = current_user.remind_by_email
        form.digest.data = current_user.digest_by_email
    today = local_calendar().today
    return render_page(
        "notifications/preferences.html", form=form, is_supervisor=is_supervisor,
        notices=reminders.notices(db.session, current_user.id, today), today=today,
    )
