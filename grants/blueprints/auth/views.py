"""Login, logout, password change and language switch."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from grants.blueprints.auth import bp
from grants.blueprints.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from grants.extensions import db, limiter
from grants.forms import attempt
from grants.security import is_safe_next
from grants.services import accounts


def _login_account() -> str:
    return "login:" + accounts.login_throttle_key(request.form.get("identifier", ""))


def _failed(response) -> bool:
    return response.status_code != 302  # a successful login redirects


def _per_ip():
    return current_app.config["LOGIN_RATE_LIMIT_PER_IP"]


def _per_account():
    return current_app.config["LOGIN_RATE_LIMIT_PER_ACCOUNT"]


def _home_or_next(target: str | None):
    return redirect(target if is_safe_next(target) else url_for("main.home"))


@bp.route("/connexion", methods=["GET", "POST"])
@limiter.limit(_per_ip, methods=["POST"], deduct_when=_failed)
@limiter.limit(_per_account, key_func=_login_account, methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(form.identifier.data, form.password.data)
        if user is None:
            db.session.commit()  # keep the audit row of the failed attempt
            form.form_errors.append(_("Wrong username, phone number or password."))
        else:
            locale = session.get("locale")
            session.clear()  # a new session at login: nothing carried over from before
            if locale:
                session["locale"] = locale
            accounts.start_session(user)
            login_user(user)
            db.session.commit()
            return _home_or_next(form.next.data)
    return render_template("auth/login.html", form=form)


@bp.route("/deconnexion", methods=["POST"])
@login_required
def logout():
    accounts.logout(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    response = redirect(url_for("auth.login"))
    # The visits taken for offline use (pages in the service worker's cache, drafts and photos
    # in the browser's storage) leave the phone with the session; the worker goes too.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()

    def change() -> None:
        accounts.change_password(current_user, form.current_password.data, form.new_password.data)
        login_user(current_user._get_current_object())  # the new session replaces the old ones

    if form.validate_on_submit() and attempt(change, form):
        flash(_("Your password has been changed. Your other sessions were closed."), "success")
        return redirect(url_for("main.home"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/langue", methods=["POST"])
def set_language():
    form = LanguageForm()
    locale = form.locale.data
    if not (form.validate_on_submit() and locale in current_app.config["LANGUAGES"]):
        abort(400)  # the buttons of the page send one of the languages
    session["locale"] = locale
    if current_user.is_authenticated:
        accounts.set_locale(current_user, locale)
        db.session.commit()
    return _home_or_next(form.next.data)
