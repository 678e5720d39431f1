from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ClaimForm(FlaskForm):
    title = StringField(_l("Nama pelatihan"), validators=[
        DataRequired(_l("Isi nama pelatihan.")), Length(max=200)])
    organiser = StringField(_l("Penyelenggara"), validators=[
        DataRequired(_l("Isi penyelenggara pelatihan.")), Length(max=200)])
    starts_on = DateField(_l("Tanggal mulai"), validators=[
        DataRequired(_l("Isi tanggal mulai, misalnya 2026-03-02."))])
    ends_on = DateField(_l("Tanggal selesai"), validators=[
        DataRequired(_l("Isi tanggal selesai, misalnya 2026-03-04."))])
    hours = StringField(_l("JP"), validators=[DataRequired(_l("Isi jumlah JP.")), Length(max=10)],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    proof = FileField(_l("Bukti (sertifikat atau surat tugas)"), validators=[
        FileRequired(_l("Lampirkan bukti: PDF, JPEG atau PNG, paling besar 5 MB."))],
        # Phones offer the camera and the gallery for these; the server still checks content.
        render_kw={"accept": "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"})


class DecisionForm(FlaskForm):
    reason = TextAreaField(_l("Alasan (wajib bila ditolak)"),
                           validators=[Optional(), Length(max=500)])
