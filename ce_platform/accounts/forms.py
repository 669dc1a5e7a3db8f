"""HTML forms for accounts (CSRF-protected by Flask-WTF)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ce_platform.accounts.models import PROFESSIONS, US_STATES

STATE_CHOICES = [SelectChoice("", "—")] + [SelectChoice(s) for s in US_STATES]
PROFESSION_CHOICES = [SelectChoice(value, label) for value, label in PROFESSIONS.items()]


class ProfileForm(FlaskForm):
    full_name = StringField(
        "Full name (as it should appear on certificates)",
        validators=[DataRequired(), Length(max=200)],
    )
    credentials = StringField(
        "Credentials (e.g. PhD, LCSW)", validators=[Optional(), Length(max=100)]
    )
    profession = SelectField("Profession", choices=PROFESSION_CHOICES, validators=[DataRequired()])
    license_number = StringField("License number", validators=[Optional(), Length(max=64)])
    license_state = SelectField("License state", choices=STATE_CHOICES, validators=[Optional()])
    submit = SubmitField("Save profile")


class RegisterForm(ProfileForm):
    # No profession is chosen for the learner: a wrong one would be printed on certificates.
    profession = SelectField(
        "Profession",
        choices=[SelectChoice("", "Choose your profession"), *PROFESSION_CHOICES],
        validators=[DataRequired("Choose your profession.")],
    )
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password (at least 12 characters)", validators=[DataRequired()])
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Create account")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    submit = SubmitField("Sign in")


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField("New password (at least 12 characters)", validators=[DataRequired()])
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Change password")


class ResetRequestForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired()])
    submit = SubmitField("Send reset link")


class ResetForm(FlaskForm):
    password = PasswordField("New password (at least 12 characters)", validators=[DataRequired()])
    confirm = PasswordField(
        "Repeat new password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Set new password")
