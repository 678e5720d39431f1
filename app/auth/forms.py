from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField

# New in WTForms 3.3; types-WTForms (3.2.1) does not know it yet.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length


class LoginForm(FlaskForm):
    login = StringField(
        _l("Email atau NIP"),
        validators=[DataRequired(_l("Isi email atau NIP Anda.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Kata sandi"),
        validators=[DataRequired(_l("Isi kata sandi Anda."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Ingat saya di perangkat ini"))
    next = HiddenField()


class LanguageForm(FlaskForm):
    locale = StringField(_l("Bahasa"), validators=[AnyOf(("id", "en"))])
    next = HiddenField()


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Kata sandi baru"),
        validators=[DataRequired(_l("Isi kata sandi baru.")),
                    Length(min=8, message=_l("Kata sandi minimal 8 karakter."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Ulangi kata sandi"),
        validators=[DataRequired(_l("Ulangi kata sandi baru.")),
                    EqualTo("password", _l("Kedua kata sandi tidak sama."))],
        render_kw={"autocomplete": "new-password"},
    )


class ForgotPasswordForm(FlaskForm):
    login = StringField(
        _l("Email atau NIP"),
        validators=[DataRequired(_l("Isi email atau NIP Anda.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Nama"), validators=[DataRequired(_l("Nama wajib diisi.")),
                                               Length(max=200)],
                       render_kw={"autocomplete": "name"})
    locale = SelectField(_l("Bahasa"), choices=[
        SelectChoice("", _l("Ikuti peramban")), SelectChoice("id", "Bahasa Indonesia"),
        SelectChoice("en", "English")])


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        _l("Kata sandi saat ini"),
        validators=[DataRequired(_l("Isi kata sandi saat ini."))],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(SetPasswordForm):
    name = StringField(_l("Nama"), validators=[DataRequired(_l("Nama wajib diisi.")),
                                               Length(max=200)],
                       render_kw={"autocomplete": "name"})
    email = StringField(
        _l("Email"), validators=[DataRequired(_l("Isi alamat email Anda.")), Length(max=254)],
        render_kw={"autocomplete": "email", "type": "email", "autocapitalize": "none"},
    )
