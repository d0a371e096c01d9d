"""Which language a page is shown in: the user's choice, else the browser session's, else French."""

from flask import current_app, has_request_context, session
from flask_login import current_user

from grants.vocabulary import Sex


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # command line: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def agreeing(sex, female: str, male: str, neutral: str) -> str:
    """The message that agrees with a known person's sex ("enregistrée", "enregistré"), the
    neutral one ("enregistré(e)") when it is not known. Each is translated at the call, the
    gendered ones with pgettext("female"/"male", …) so French has one message per agreement:
    agreeing(person.sex, pgettext("female", m), pgettext("male", m), _(m))."""
    if sex == Sex.FEMALE:
        return female
    if sex == Sex.MALE:
        return male
    return neutral
