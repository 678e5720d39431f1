"""The audit log in plain words: one translated sentence per entry, naming people, not ids."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.models import AuditEntry

# What happened, as a filter label.
ACTION_NAMES = {
    "auth.failures": _l("Percobaan masuk gagal berulang"),
    "auth.lockout": _l("Akun dikunci sementara"),
    "auth.password_reset": _l("Kata sandi diatur ulang"),
    "auth.password_change": _l("Kata sandi diganti"),
    "auth.confirm": _l("Email pendaftar dikonfirmasi"),
    "user.register": _l("Pendaftaran mandiri"),
    "user.create": _l("Pengguna dibuat"),
    "user.identity": _l("Nama, email atau NIP diubah"),
    "user.roles": _l("Peran diubah"),
    "user.deactivate": _l("Akun dinonaktifkan"),
    "user.activate": _l("Akun diaktifkan lagi"),
    "staff.import": _l("Impor pegawai"),
    "link.password": _l("Tautan kata sandi sekali pakai"),
    "link.confirm": _l("Tautan konfirmasi email"),
    "report.export": _l("Ekspor laporan"),
    "jp.hr_export": _l("Ekspor JP untuk kepegawaian"),
    "session.attendance_remove": _l("Kehadiran sesi dihapus"),
    "assignment.set": _l("Penugasan kursus diatur"),
    "assignment.remove": _l("Penugasan kursus dicabut"),
}

FIELD_NAMES = {"name": _l("nama"), "email": _l("email"), "nip": _l("NIP")}
ROLE_NAMES = {"learner": _l("peserta"), "trainer": _l("pelatih"),
              "supervisor": _l("atasan"), "admin": _l("admin")}


def action_name(action: str) -> str:
    from app.authoring.views import ACTION_LABELS

    return str(ACTION_NAMES.get(action) or ACTION_LABELS.get(action) or action)


def _roles(names) -> str:
    return ", ".join(str(ROLE_NAMES.get(n, n)) for n in names or []) or "—"


def describe(entry: AuditEntry, people: dict[str, str]) -> str:
    """One sentence: what happened to whom, with the numbers that matter."""
    d = entry.details or {}
    who = entry.actor.name if entry.actor else _("Sistem")
    target = people.get(entry.target, entry.target)
    action = entry.action
    sentence = (_sign_in_sentence(action, d, target)
                or _account_sentence(action, d, who, target)
                or _other_sentence(entry, d, who, target))
    if sentence:
        return sentence
    return _("%(who)s: %(what)s (%(target)s).", who=who, what=action_name(action),
             target=target)


def _sign_in_sentence(action: str, d: dict, target: str) -> str | None:
    """The sentence for a sign-in or password event (auth.*), None for any other action."""
    if action == "auth.failures":
        return _("%(n)d kali gagal masuk berturut-turut ke akun %(target)s (alamat %(address)s).",
                 n=d.get("failures", 0), target=target, address=d.get("address") or "—")
    if action == "auth.lockout":
        return _("Akun %(target)s dikunci 15 menit setelah %(n)d kali gagal masuk "
                 "(alamat terakhir %(address)s).", target=target, n=d.get("failures", 0),
                 address=d.get("address") or "—")
    if action == "auth.password_reset":
        return _("%(target)s memilih kata sandi baru lewat tautan sekali pakai; semua sesinya "
                 "diakhiri.", target=target)
    if action == "auth.password_change":
        return _("%(target)s mengganti kata sandinya; sesi di perangkat lain diakhiri.",
                 target=target)
    if action == "auth.confirm":
        return _("%(target)s mengonfirmasi alamat emailnya.", target=target)
    return None


def _account_sentence(action: str, d: dict, who: str, target: str) -> str | None:
    """The sentence for a change to an account (user.*), None for any other action."""
    if action == "user.register":
        return _("%(target)s mendaftar sendiri.", target=target)
    if action == "user.create":
        return _("%(who)s membuat akun %(target)s dengan peran %(roles)s.", who=who,
                 target=target, roles=_roles(d.get("roles")))
    if action == "user.identity":
        return _("%(who)s mengubah data %(target)s: %(fields)s.", who=who, target=target,
                 fields=", ".join(str(FIELD_NAMES.get(f, f)) for f in d.get("fields") or []))
    if action == "user.roles":
        return _("%(who)s mengubah peran %(target)s dari %(before)s menjadi %(after)s.",
                 who=who, target=target, before=_roles(d.get("before")),
                 after=_roles(d.get("after")))
    if action == "user.deactivate":
        return _("%(who)s menonaktifkan akun %(target)s; semua sesinya diakhiri.", who=who,
                 target=target)
    if action == "user.activate":
        return _("%(who)s mengaktifkan lagi akun %(target)s.", who=who, target=target)
    return None


def _other_sentence(entry: AuditEntry, d: dict, who: str, target: str) -> str | None:
    """The sentence for an import, a link sent or an export; None for any other action."""
    action = entry.action
    if action == "staff.import":
        return _("%(who)s mengimpor pegawai: %(created)d baru, %(updated)d diperbarui, "
                 "%(links)d tautan kata sandi.", who=who, created=d.get("created", 0),
                 updated=d.get("updated", 0), links=d.get("links", 0))
    if action == "link.password":
        if entry.actor_id is None or entry.target == f"user:{entry.actor_id}":
            return _("Tautan lupa kata sandi dikirim ke %(target)s.", target=target)
        return _("%(who)s membuat tautan kata sandi sekali pakai untuk %(target)s.", who=who,
                 target=target)
    if action == "link.confirm":
        return _("Tautan konfirmasi email dikirim ke %(target)s.", target=target)
    if action == "report.export":
        return _("%(who)s mengunduh laporan penyelesaian (%(format)s).", who=who,
                 format=str(d.get("format", "")).upper())
    if action == "jp.hr_export":
        return _("%(who)s mengunduh rekap JP tahun %(year)s untuk kepegawaian (%(format)s).",
                 who=who, year=entry.target.removeprefix("jp:"),
                 format=str(d.get("format", "")).upper())
    return None
