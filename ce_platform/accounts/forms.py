"""HTML forms for accounts (CSRF-protected by Flask-WTF)."""

from flask import request
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ce_platform.accounts.models import PROFESSIONS, US_STATES
from ce_platform.accounts.rules import MAX_LENGTHS, PASSWORD_MAX_LENGTH, PlainText

STATE_CHOICES = [SelectChoice("", "—")] + [SelectChoice(s) for s in US_STATES]
PROFESSION_CHOICES = [SelectChoice(value, label) for value, label in PROFESSIONS.items()]


class PageForm(FlaskForm):
    """A form read from the posted form fields only, so every field holds text.

    Flask-WTF would also read uploaded files and JSON bodies into the fields: numbers, objects
    and files then reach validators and services that expect text (a 500), and a JSON list
    is read as its first item where the sign-in rate limit's key sees no email at all.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if hasattr(formdata, "getlist"):  # passed in explicitly
                return super().wrap_formdata(form, formdata)
            submitted = super().wrap_formdata(form, formdata) is not None
            return request.form if submitted else None


class ProfileForm(PageForm):
    full_name = StringField(
        "Full name (as it should appear on certificates)",
        validators=[DataRequired(), PlainText(MAX_LENGTHS["full_name"])],
    )
    credentials = StringField(
        "Credentials (e.g. PhD, LCSW)",
        validators=[Optional(), PlainText(MAX_LENGTHS["credentials"])],
    )
    profession = SelectField("Profession", choices=PROFESSION_CHOICES, validators=[DataRequired()])
    license_number = StringField(
        "License number", validators=[Optional(), PlainText(MAX_LENGTHS["license_number"])]
    )
    license_state = SelectField("License state", choices=STATE_CHOICES, validators=[Optional()])
    submit = SubmitField("Save profile")


class RegisterForm(ProfileForm):
    # No profession is chosen for the learner: a wrong one would be printed on certificates.
    profession = SelectField(
        "Profession",
        choices=[SelectChoice("", "Choose your profession"), *PROFESSION_CHOICES],
        validators=[DataRequired("Choose your profession.")],
    )
    email = EmailField("Email", validators=[DataRequired(), Length(max=MAX_LENGTHS["email"])])
    password = PasswordField(
        "Password (at least 12 characters)",
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Create account")


class LoginForm(PageForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=MAX_LENGTHS["email"])])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)]
    )
    submit = SubmitField("Sign in")


class PasswordForm(PageForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField(
        "New password (at least 12 characters)",
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
    )
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Change password")


class ResetRequestForm(PageForm):
    email = EmailField("Email", validators=[DataRequired()])
    submit = SubmitField("Send reset link")


class ResetForm(PageForm):
    password = PasswordField(
        "New password (at least 12 characters)",
        validators=[DataRequired(), Length(max=PASSWORD_MAX_LENGTH)],
    )
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Set new password")
