"""Account pages: register, sign in and out, profile, password change and reset."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from ce_platform.accounts import services
from ce_platform.accounts.forms import (
    LoginForm,
    PasswordForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
    ResetRequestForm,
)
from ce_platform.accounts.models import User
from ce_platform.accounts.notices import queue_registration_mail
from ce_platform.core.errors import CEError, Conflict
from ce_platform.core.limits import (
    account_sign_in_limit,
    password_change_limit,
    sign_in_account,
    signed_in_account,
)
from ce_platform.core.validation import same_site_path
from ce_platform.extensions import csrf, db, limiter, login_manager
from ce_platform.jobs import services as jobs

bp = Blueprint("accounts", __name__)

# The page signs a new account in, so its answer says so; a taken address gets the same.
REGISTERED_PAGE_MESSAGE = (
    "Thank you. If this email was new, your account is ready and you are signed in. If it "
    "already had an account, we have emailed its owner instead."
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Read the user once per request; a cookie of an ended session generation is nobody."""
    return services.user_for_session(db.session, session_id)


def _settings() -> services.Settings:
    return services.Settings.from_config(current_app.config)


def _safe_next(target: str | None) -> str:
    """Only follow a same-site relative path after login."""
    if same_site_path(target) is not None:
        return target
    return url_for("catalog.index") if "catalog.index" in current_app.view_functions else "/"


def _form_errors(form, exc: CEError) -> None:
    """Attach a service error to the matching form field, or flash it."""
    placed = False
    if isinstance(exc.details, dict):
        for name in exc.details:
            field = getattr(form, name, None)
            if field is not None:
                field.errors = [*field.errors, exc.message]
                placed = True
    if not placed:
        flash(exc.message, "error")


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(_safe_next(None))
    form = RegisterForm()
    if form.is_submitted():
        valid = form.validate()
        # The account rules too, so every problem shows in the same round as the form's own.
        problems = services.registration_problems(
            email=form.email.data or "",
            password=form.password.data or "",
            full_name=form.full_name.data or "",
            profession=form.profession.data or "",
            license_state=form.license_state.data or "",
            settings=_settings(),
        )
        for name, message in problems.items():
            field = getattr(form, name)
            if not field.errors:
                field.errors = [*field.errors, message]
        if valid and not problems:
            return _register(form)
        return render_template("accounts/register.html", form=form), 400
    return render_template("accounts/register.html", form=form)


def _register(form: RegisterForm):
    """Create the account and sign it in; a taken email gets the same answer and its owner a
    mail, so the page never tells whether an address is registered."""
    try:
        user = services.register_user(
            db.session,
            email=form.email.data,
            password=form.password.data,
            full_name=form.full_name.data,
            profession=form.profession.data,
            credentials=form.credentials.data or "",
            license_number=form.license_number.data or "",
            license_state=form.license_state.data or "",
            settings=_settings(),
        )
    except Conflict:
        db.session.rollback()
        queue_registration_mail(db.session, form.email.data, existing=True)
        db.session.commit()
    except CEError as exc:
        db.session.rollback()
        _form_errors(form, exc)
        return render_template("accounts/register.html", form=form), 400
    else:
        queue_registration_mail(db.session, user.email, existing=False)
        db.session.commit()
        login_user(user)
    flash(REGISTERED_PAGE_MESSAGE, "success")
    return redirect(url_for("catalog.index"))


def _failed(response) -> bool:
    """Only a refused attempt counts: a success answers with a redirect."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed
)
@limiter.shared_limit(
    account_sign_in_limit,
    scope="sign-in-account",
    key_func=sign_in_account,
    methods=["POST"],
    deduct_when=_failed,
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.email.data, form.password.data, _settings())
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        services.record_failed_sign_in(db.session, form.email.data, channel="web")
        db.session.commit()
        # The same words whether or not the email exists.
        flash("Email or password is not correct.", "error")
        return render_template("accounts/login.html", form=form), 401
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


@bp.post("/logout")
def logout():
    # A signed cookie cannot be withdrawn one by one: ending the generation is what makes a
    # copy saved before sign-out useless.
    if current_user.is_authenticated:
        services.end_sessions(db.session, current_user._get_current_object())
        db.session.commit()
    logout_user()
    flash("You are signed out.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(
                db.session,
                current_user,
                full_name=form.full_name.data,
                profession=form.profession.data,
                credentials=form.credentials.data or "",
                license_number=form.license_number.data or "",
                license_state=form.license_state.data or "",
                actor_id=current_user.id,
            )
        except CEError as exc:
            db.session.rollback()
            _form_errors(form, exc)
        else:
            db.session.commit()
            flash("Profile saved.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form), 200 if not form.errors else 400


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.shared_limit(
    password_change_limit,
    scope="password-change",
    key_func=signed_in_account,
    methods=["POST"],
    deduct_when=_failed,
)
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session,
                current_user,
                form.current_password.data,
                form.password.data,
                _settings(),
            )
        except CEError as exc:
            db.session.rollback()
            _form_errors(form, exc)
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # this browser stays signed in
            flash("Password changed. Every other session and API token is signed out.", "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/password.html", form=form), 200 if not form.errors else 400


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    user = current_user._get_current_object()
    services.end_sessions(db.session, user)
    services.revoke_api_tokens(db.session, user)
    db.session.commit()
    logout_user()
    flash("You are signed out on every device, and every API token is revoked.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"], methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.get_user_by_email(db.session, form.email.data)
        if user is not None and user.active:
            # The job makes the link when it runs: it dies with the password it would replace.
            jobs.send_message(db.session, "password_reset", user_id=user.id)
            db.session.commit()
        # The same answer whether or not the email exists.
        flash("If an account uses that email, a reset link is on its way.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    try:
        user = services.user_for_reset_token(
            db.session,
            current_app.config["SECRET_KEY"],
            token,
            current_app.config["PASSWORD_RESET_MAX_AGE"],
        )
    except CEError as exc:
        flash(exc.message, "error")
        return render_template("accounts/reset_request.html", form=ResetRequestForm()), 400
    form = ResetForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, user, form.password.data, _settings())
        except CEError as exc:
            db.session.rollback()
            _form_errors(form, exc)
        else:
            db.session.commit()
            flash("Your password is set. Sign in with it now.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form), 200 if not form.errors else 400


# --- email verification and reminders --------------------------------------------------------


@bp.get("/account/verify-email/<token>")
def verify_email(token: str):
    """Confirm the address from the mailed link; it works once, signed in or not."""
    try:
        services.verify_email(
            db.session,
            current_app.config["SECRET_KEY"],
            token,
            current_app.config["EMAIL_VERIFY_MAX_AGE"],
        )
    except CEError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return render_template("accounts/email_verified.html", verified=False), 400
    db.session.commit()
    flash("Your email address is confirmed.", "success")
    return render_template("accounts/email_verified.html", verified=True)


@bp.post("/account/verify-email")
@login_required
@limiter.limit(lambda: current_app.config["RESET_RATE_LIMIT"])
def resend_verification():
    services.request_verification(db.session, current_user._get_current_object())
    db.session.commit()
    flash("A new confirmation link is on its way to your email address.", "success")
    return redirect(url_for("accounts.profile"))


@bp.post("/account/reminders")
@login_required
def reminders():
    services.set_reminders(
        db.session, current_user._get_current_object(), request.form.get("reminders") == "on"
    )
    db.session.commit()
    flash("Your email preferences are saved.", "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: mail clients post the one-click request with no form token
def unsubscribe(token: str):
    """Turn reminders off from a mailed link, without signing in (GET asks, POST does it)."""
    user = services.user_for_unsubscribe_token(db.session, current_app.config["SECRET_KEY"], token)
    if request.method == "POST":
        services.set_reminders(db.session, user, False)
        db.session.commit()
        return render_template("accounts/unsubscribe.html", token=token, done=True)
    return render_template("accounts/unsubscribe.html", token=token, done=False)
