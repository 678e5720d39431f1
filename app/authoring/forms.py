from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import EmailField
from wtforms.validators import DataRequired, Length


class UploadForm(FlaskForm):
    archive = FileField(
        _l("Berkas .zip kursus"),
        validators=[
            FileRequired(_l("Pilih berkas .zip berisi folder kursus.")),
            FileAllowed(["zip"], _l("Pilih berkas berakhiran .zip.")),
        ],
    )


class OwnerForm(FlaskForm):
    email = EmailField(
        _l("Email pelatih"),
        validators=[DataRequired(_l("Isi email pelatih.")), Length(max=254)],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"},
    )
