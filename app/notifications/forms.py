from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class PreferencesForm(FlaskForm):
    reminders = BooleanField(
        _l("Kirim email pengingat kursus wajib yang mendekati atau lewat tenggat"))
    digest = BooleanField(_l("Kirim ringkasan mingguan pegawai saya yang terlambat (atasan)"))
