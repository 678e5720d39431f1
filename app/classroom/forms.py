from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class SessionForm(FlaskForm):
    title = StringField(_l("Judul sesi"), validators=[
        DataRequired(_l("Isi judul sesi.")), Length(max=200)])
    held_on = DateField(_l("Tanggal"), validators=[
        DataRequired(_l("Isi tanggal sesi, misalnya 2026-03-02."))])
    place = StringField(_l("Tempat"), validators=[
        DataRequired(_l("Isi tempat sesi.")), Length(max=200)])
    jp = StringField(_l("JP"), validators=[DataRequired(_l("Isi jumlah JP.")), Length(max=10)],
                     render_kw={"inputmode": "decimal", "autocomplete": "off"})
    course_id = SelectField(_l("Kursus yang diajarkan (opsional)"), coerce=str,
                            validate_choice=False)


class ListForm(FlaskForm):
    people = TextAreaField(_l("NIP atau email peserta, satu per baris"), validators=[
        DataRequired(_l("Tulis paling sedikit satu NIP atau email.")), Length(max=100_000)])


class CsvForm(FlaskForm):
    file = FileField(_l("Berkas CSV (kolom nip atau email)"), validators=[
        FileRequired(_l("Pilih berkas CSV."))], render_kw={"accept": ".csv,text/csv"})


class CheckInForm(FlaskForm):
    code = StringField(_l("Kode sesi"), validators=[
        DataRequired(_l("Isi kode sesi dari layar pelatih.")), Length(max=20)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters",
                   "spellcheck": "false"})
