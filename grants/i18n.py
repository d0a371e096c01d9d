"""Which language a page is shown in: the user's choice, else the browser session's, else French."""

from flask import current_app, has_request_context, session
from flask_babel import Domain, get_locale
from flask_login import current_user

from grants.speedups import babel_context
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


class RequestTranslations(Domain):
    """Flask-Babel's domain, its translations looked up once per request (or per
    `force_locale` block) instead of once per string: its lookup keys a cache by the locale's
    str(), which cost about 5 µs for each of the 150 to 250 strings of a page.
    `ctx.babel_translations` is the slot Flask-Babel itself empties when the locale changes
    (`force_locale`, `refresh`)."""

    def get_translations(self):
        ctx = babel_context()
        if ctx is None:
            return super().get_translations()
        translations = getattr(ctx, "babel_translations", None)
        if translations is None:
            translations = ctx.babel_translations = super().get_translations()
        return translations


def locale_code() -> str:
    """The current locale's code ("fr", "en"), kept beside the translations of the request."""
    ctx = babel_context()
    if ctx is None:
        return str(get_locale() or "fr")
    locale = get_locale()
    known = getattr(ctx, "grants_locale_code", None)
    if known is None or known[0] is not locale:
        known = ctx.grants_locale_code = (locale, str(locale or "fr"))
    return known[1]
