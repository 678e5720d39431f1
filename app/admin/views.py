from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.access import access
from app.admin import audit_words, bp
from app.admin.forms import (
    AssignmentForm,
    NewUserForm,
    StaffImportForm,
    UnitForm,
    UserForm,
    choices,
    role_choices,
)
from app.admin.links import deliver, link_url
from app.extensions import db
from app.models import Role, Unit
from app.safe_input import page_arg
from app.services import assignments, units
from app.services.accounts import (
    create_user,
    get_user,
    search_users,
    update_identity,
    update_user,
)
from app.services.audit import audit_actions, audit_page, people_named, record
from app.services.courses import published_courses
from app.services.errors import InvalidInput
from app.services.nip import mask_nip
from app.services.password_links import issue_link
from app.services.scope import units_in_scope
from app.services.staff import PasswordLink, import_staff
from app.web import local_calendar, render_page

MAX_CSV_BYTES = 2 * 1024 * 1024


def _id(value: str | None) -> int | None:
    """An id chosen in a form; anything but digits is refused with a message."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise InvalidInput(_("Pilihan tidak valid."))
    return int(value)


def _unit_choices(tree: list[Unit], blank: str | None):
    """Units as indented options, tree order, after a blank choice if one is given."""
    top = min((units.depth(u) for u in tree), default=0)
    options = [("", blank)] if blank is not None else []
    options += [(str(u.id), "\u2003" * (units.depth(u) - top) + f"{u.name} ({u.code})")
                for u in tree]
    return choices(options)


@bp.route("/")
@access(Role.ADMIN)
def index():
    return render_page("admin/index.html")


@bp.route("/units", methods=["GET", "POST"])
@access(Role.ADMIN)
def unit_list() -> ResponseReturnValue:
    """The organisation tree, and a form to add a unit."""
    tree = units.unit_tree(db.session)
    form = UnitForm()
    form.parent.choices = _unit_choices(tree, _("— tanpa induk (instansi) —"))
    error = None
    if form.validate_on_submit():
        parent = units.find_unit(db.session, _id(form.parent.data))
        code = (form.code.data or "").strip()  # DataRequired: given
        if units.code_taken(db.session, code):
            error = _("Kode %(code)s sudah dipakai unit lain.", code=code)
        else:
            added, error = _save_unit(code, form.name.data or "", parent)  # DataRequired
            if added is not None:
                flash(_("Unit %(name)s ditambahkan.", name=added.name), "info")
                return redirect(url_for("admin.unit_list"), code=303)
    children: dict[int | None, list[Unit]] = {}
    for unit in tree:  # tree order, so each list keeps its siblings in order
        children.setdefault(unit.parent_id, []).append(unit)
    return render_page("admin/units.html", tree=tree, children=children, form=form, error=error)


def _save_unit(code: str, name: str, parent: Unit | None) -> tuple[Unit | None, str | None]:
    """Create, rename or move a unit and commit: (the unit, None) or (None, why it was refused)."""
    try:
        unit = units.upsert_unit(db.session, code, name, parent.code if parent else None)
    except InvalidInput as exc:
        db.session.rollback()
        return None, str(exc)
    db.session.commit()
    return unit, None


@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@access(Role.ADMIN)
def unit_edit(unit_id: int):
    """Rename a unit or move it (with everything below it) under another parent."""
    unit = units.get_unit(db.session, unit_id)
    tree = [u for u in units.unit_tree(db.session) if not u.path.startswith(unit.path)]
    form = UnitForm(obj=unit if request.method == "GET" else None)
    form.parent.choices = _unit_choices(tree, _("— tanpa induk (instansi) —"))
    if request.method == "GET":
        form.parent.data = str(unit.parent_id or "")
    error = None
    if form.validate_on_submit():
        parent = units.find_unit(db.session, _id(form.parent.data))
        _saved, error = _save_unit(unit.code, form.name.data or "", parent)  # DataRequired
        if error is None:
            flash(_("Unit %(code)s disimpan.", code=unit.code), "info")
            return redirect(url_for("admin.unit_list"), code=303)
    return render_page("admin/unit_edit.html", unit=unit, form=form, error=error)


@bp.route("/users")
@access(Role.ADMIN)
def user_list():
    """Users, searchable by name, email or NIP."""
    query = request.args.get("q", "")
    error = None
    try:
        page = page_arg()
    except InvalidInput:
        page, error = 1, _("Nomor halaman tidak valid.")
    if len(query) > 100:
        error = _("Kata pencarian terlalu panjang (paling banyak %(n)d huruf).", n=100)
    if error:  # said in the page, by the form, rather than quietly searching something else
        response = render_page("admin/users.html", page=None, query=query[:100],
                               mask_nip=mask_nip, error=error)
        response.status_code = 400
        return response
    return render_page("admin/users.html", page=search_users(db.session, query, page=page),
                       query=query, mask_nip=mask_nip, error=None)


def _roles_from(values) -> Role:
    known = Role.LEARNER | Role.TRAINER | Role.SUPERVISOR | Role.ADMIN
    roles = Role(0)
    for value in values:
        roles |= Role((_id(value) or 0) & known)
    return roles


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@access(Role.ADMIN)
def user_edit(user_id: int):
    """Change someone's name, email, NIP, roles, unit and access."""
    person = get_user(db.session, user_id)
    form = UserForm()
    form.roles.choices = role_choices()
    form.unit.choices = _unit_choices(units.unit_tree(db.session), _("— tanpa unit —"))
    if request.method == "GET":
        form.name.data, form.email.data = person.name, person.email
        form.roles.data = [c.value for c in form.roles.choices if person.roles & int(c.value)]
        form.unit.data = str(person.unit_id or "")
        form.active.data = person.active
    error = None
    if form.validate_on_submit():
        try:
            # Name and email are DataRequired: a validated form has both.
            update_identity(db.session, current_user, person.id, name=form.name.data or "",
                            email=form.email.data or "", nip=form.nip.data or person.nip)
            update_user(db.session, current_user, person.id, roles=_roles_from(form.roles.data),
                        unit_id=_id(form.unit.data), active=form.active.data)
        except InvalidInput as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("Perubahan untuk %(name)s disimpan.", name=person.name), "info")
            return redirect(url_for("admin.user_list"), code=303)
    return render_page("admin/user_edit.html", person=person, form=form, error=error,
                       mask_nip=mask_nip)


@bp.route("/users/new", methods=["GET", "POST"])
@access(Role.ADMIN)
def user_new():
    """Create one user; they get a one-time link to choose their password."""
    form = NewUserForm()
    form.unit.choices = _unit_choices(units.unit_tree(db.session), _("— tanpa unit —"))
    if request.method == "GET":
        form.roles.data = [str(int(Role.LEARNER))]
    error = None
    if form.validate_on_submit():
        unit = units.find_unit(db.session, _id(form.unit.data))
        try:
            person = create_user(
                db.session, email=form.email.data, name=form.name.data, nip=form.nip.data,
                roles=_roles_from(form.roles.data) or Role.LEARNER,
                unit_code=unit.code if unit else None)
            record(db.session, current_user.id, "user.create", f"user:{person.id}",
                   roles=person.role_set.names)
            secret, expires_at = issue_link(db.session, person.id, actor_id=current_user.id)
        except InvalidInput as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            mailed, to_hand_out = deliver(
                [PasswordLink(person.id, person.email, person.name, secret, expires_at)])
            return _links_page(mailed, to_hand_out,
                               title=_("Pengguna %(name)s dibuat", name=person.name))
    return render_page("admin/user_new.html", form=form, error=error)


@bp.route("/users/<int:user_id>/password-link", methods=["POST"])
@access(Role.ADMIN)
def password_link(user_id: int):
    """A fresh one-time link for someone who lost theirs (older links stop working)."""
    person = get_user(db.session, user_id)
    secret, expires_at = issue_link(db.session, person.id, actor_id=current_user.id)
    db.session.commit()
    mailed, to_hand_out = deliver(
        [PasswordLink(person.id, person.email, person.name, secret, expires_at)])
    return _links_page(mailed, to_hand_out, title=_("Tautan kata sandi untuk %(name)s",
                                                   name=person.name))


def _links_page(mailed, links, **context):
    """Links are shown once, in this response, and never stored or cached."""
    response = render_page(
        "admin/links.html", mailed=mailed,
        links=[(link, link_url(link.secret)) for link in links], **context)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/import", methods=["GET", "POST"])
@access(Role.ADMIN)
def user_import():
    """Staff import from CSV (email,name,nip,unit_code,role), as `flask users import` does."""
    form = StaffImportForm()
    if not form.validate_on_submit():
        return render_page("admin/user_import.html", form=form, result=None)
    data = form.file.data.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        form.file.errors.append(_("Berkas terlalu besar (paling besar 2 MB)."))
        return render_page("admin/user_import.html", form=form, result=None)
    result = import_staff(db.session, data, skip_invalid=form.skip_invalid.data,
                          actor_id=current_user.id)
    if not result.applied:
        db.session.rollback()
        return render_page("admin/user_import.html", form=form, result=result)
    db.session.commit()
    mailed, to_hand_out = deliver(result.links)
    return _links_page(mailed, to_hand_out, result=result, title=_("Impor pegawai selesai"))


@bp.route("/assignments", methods=["GET", "POST"])
@access(Role.ADMIN | Role.SUPERVISOR)
def assignment_list():
    """Mandatory courses in the viewer's units, and a form to assign one."""
    cal = local_calendar()
    scope_units = units_in_scope(db.session, current_user)
    form = AssignmentForm()
    courses = published_courses(db.session)
    form.course.choices = choices((str(c.id), c.title) for c in courses)
    form.unit.choices = _unit_choices(scope_units, None)
    error = None
    if form.validate_on_submit():
        try:
            assignments.assign_course(db.session, current_user, _id(form.course.data) or 0,
                                      _id(form.unit.data) or 0, form.due_on.data,
                                      today=cal.today)
        except InvalidInput as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
            flash(_("Kursus wajib disimpan."), "info")
            return redirect(url_for("admin.assignment_list"), code=303)
    items = assignments.assignments_in_scope(db.session, current_user)
    return render_page("admin/assignments.html", form=form, items=items, error=error,
                       today=cal.today)


@bp.route("/assignments/<int:assignment_id>/delete", methods=["POST"])
@access(Role.ADMIN | Role.SUPERVISOR)
def assignment_delete(assignment_id: int):
    """Remove a mandatory course, after a confirmation step (asked on the server, no JS needed)."""
    if request.form.get("confirm") != "1":
        assignment = assignments.assignment_in_scope(db.session, current_user, assignment_id)
        return render_page("admin/assignment_delete.html", assignment=assignment,)
    assignments.remove_assignment(db.session, current_user, assignment_id)
    db.session.commit()
    flash(_("Kursus wajib dihapus."), "info")
    return redirect(url_for("admin.assignment_list"), code=303)


@bp.route("/audit")
@access(Role.ADMIN)
def audit_log():
    """The audit log in plain words: who did what, and when; newest first."""
    actions = audit_actions(db.session)
    action = request.args.get("action") or None
    if action not in actions:
        action = None
    page = audit_page(db.session, action=action, page=page_arg())
    people = people_named(db.session, page.items)
    sentences = {entry.id: audit_words.describe(entry, people) for entry in page.items}
    return render_page("admin/audit.html", page=page, sentences=sentences, action=action,
                       actions=[(a, audit_words.action_name(a)) for a in actions])
