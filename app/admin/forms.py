from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext, pgettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
)

# New in WTForms 3.3; types-WTForms (3.2.1) does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.models import Role


def role_choices() -> list[SelectChoice]:
    """The four roles by their names in the current language ("peran" context: one person, so
    "Learner", not the "Learners" of a report column)."""
    return [
        SelectChoice(str(int(Role.LEARNER)), pgettext("peran", "Peserta")),
        SelectChoice(str(int(Role.TRAINER)), pgettext("peran", "Pelatih")),
        SelectChoice(str(int(Role.SUPERVISOR)), pgettext("peran", "Atasan")),
        SelectChoice(str(int(Role.ADMIN)), pgettext("peran", "Admin")),
    ]


def role_labels(roles: int) -> str:
    """A person's roles by the same translated names the user form uses: "Peserta, Atasan"."""
    return ", ".join(c.label for c in role_choices() if roles & int(c.value))


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class UnitForm(FlaskForm):
    code = StringField(_l("Kode"), validators=[DataRequired(_l("Isi kode unit.")), Length(max=40)])
    name = StringField(_l("Nama"), validators=[DataRequired(_l("Isi nama unit.")),
                                                Length(max=200)])
    parent = SelectField(_l("Unit induk"), choices=[], validate_choice=False)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    name = StringField(_l("Nama"), validators=[DataRequired(_l("Nama wajib diisi.")),
                                               Length(max=200)])
    email = StringField(_l("Email"), validators=[DataRequired(_l("Isi alamat email.")),
                                                 Length(max=254)])
    # Never filled in with the stored NIP: it is shown masked, and replaced only when typed.
    nip = StringField(_l("NIP baru (kosongkan bila tidak berubah)"), validators=[Length(max=40)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    roles = CheckboxesField(_l("Peran"), choices=[], validate_choice=False)  # role_choices()
    unit = SelectField(lazy_pgettext("satu unit", "Unit kerja"), choices=[], validate_choice=False)
    active = BooleanField(_l("Akun aktif (boleh masuk)"))


class NewUserForm(FlaskForm):
    name = StringField(_l("Nama"), validators=[DataRequired(_l("Nama wajib diisi.")),
                                               Length(max=200)])
    email = StringField(_l("Email"), validators=[DataRequired(_l("Isi alamat email.")),
                                                 Length(max=254)])
    nip = StringField(_l("NIP (boleh kosong)"), validators=[Length(max=40)],
                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    roles = CheckboxesField(_l("Peran"), choices=[], validate_choice=False)  # role_choices()
    unit = SelectField(lazy_pgettext("satu unit", "Unit kerja"), choices=[], validate_choice=False)


class StaffImportForm(FlaskForm):
    file = FileField(_l("Berkas CSV"), validators=[FileRequired(_l("Pilih berkas CSV."))])
    skip_invalid = BooleanField(_l("Lewati baris yang salah dan impor sisanya"))


class IsoDateField(DateField):
    """A date input whose parse error speaks the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Tanggal tidak valid; tulis seperti 2026-12-31.")) from None


class AssignmentForm(FlaskForm):
    course = SelectField(_l("Kursus"), choices=[], validate_choice=False)
    unit = SelectField(_l("Unit (beserta sub-unitnya)"), choices=[], validate_choice=False)
    due_on = IsoDateField(_l("Tenggat"), validators=[InputRequired(_l("Isi tanggal tenggat."))])
