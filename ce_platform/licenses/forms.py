"""HTML forms for licenses and CE reported from elsewhere (CSRF-protected by Flask-WTF)."""

from wtforms import DateField, IntegerField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ce_platform.accounts.forms import PROFESSION_CHOICES, PageForm
from ce_platform.accounts.models import US_STATES
from ce_platform.accounts.rules import PlainText

STATES = [SelectChoice("", "Choose a state")] + [SelectChoice(s) for s in US_STATES]
HOURS = [Optional(), Length(max=10)]


class LicenseForm(PageForm):
    profession = SelectField("Profession", choices=PROFESSION_CHOICES, validators=[DataRequired()])
    state = SelectField("State", choices=STATES, validators=[DataRequired("Choose a state.")])
    number = StringField(
        "License number (never shown publicly)", validators=[Optional(), PlainText(64)]
    )
    renewal_date = DateField("Next renewal date", validators=[DataRequired()])
    cycle_months = IntegerField(
        "Renewal cycle (months)", validators=[DataRequired(), NumberRange(1, 120)], default=24
    )
    total_hours = StringField(
        "Hours required per cycle, in total", validators=[DataRequired(), Length(max=10)]
    )
    ethics = StringField("Of which ethics (hours)", validators=HOURS)
    cultural = StringField("Of which cultural competence (hours)", validators=HOURS)
    topic = StringField(
        "Another required topic (e.g. law, suicide prevention)",
        validators=[Optional(), PlainText(40)],
    )
    topic_hours = StringField("Hours for that topic", validators=HOURS)
    submit = SubmitField("Add license")


class ExternalCreditForm(PageForm):
    title = StringField("Course title", validators=[DataRequired(), PlainText(300)])
    provider = StringField("Provider", validators=[DataRequired(), PlainText(200)])
    completed_on = DateField("Completion date", validators=[DataRequired()])
    general = StringField("General hours", validators=HOURS)
    clinical = StringField("Clinical hours", validators=HOURS)
    ethics = StringField("Ethics hours", validators=HOURS)
    cultural = StringField("Cultural competence hours", validators=HOURS)
    topic = StringField("Another topic (e.g. law)", validators=[Optional(), PlainText(40)])
    topic_hours = StringField("Hours for that topic", validators=HOURS)
    submit = SubmitField("Report CE")
