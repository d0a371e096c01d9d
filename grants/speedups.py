"""Faster equivalents of two library functions that every page calls hundreds of times, put in
place once by create_app. Each gives the library's own result (tests/test_speedups.py compares
them); they only skip work the libraries repeat on every call.

- Flask-Babel looks up its per-context namespace through the `g` proxy three times for each
  string, date and locale of a page (600-odd times, about 2 ms a page): read here from the app
  context's variable.
- WTForms writes each HTML attribute through Markup.format, Python's string formatter run with
  escaping (the filter form of a list page: about 1 ms): written here with an f-string of the
  same escaped parts."""

from types import SimpleNamespace

import flask_babel
import wtforms.widgets
import wtforms.widgets.core
from flask.globals import _cv_app
from markupsafe import Markup, escape
from wtforms.widgets.core import clean_key

wtforms_html_params = wtforms.widgets.core.html_params  # the library's, for the tests


def babel_context() -> SimpleNamespace | None:
    """Flask-Babel's `_get_current_context`: `g._flask_babel`, made on first use; None outside
    an app context."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    namespace = getattr(app_context.g, "_flask_babel", None)
    if namespace is None:
        namespace = app_context.g._flask_babel = SimpleNamespace()
    return namespace


def html_params(**kwargs) -> Markup:
    """WTForms' html_params: attributes sorted by name, `True` written bare, `False` left out,
    names and values escaped (a value's quotes as &quot;)."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = clean_key(key)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            text = str(escape(value)).replace('"', "&quot;")  # quotes of a Markup value
            params.append(f'{escape(key)}="{text}"')
    return Markup(" ".join(params))  # noqa: S704 (every name and value escaped above)


def install() -> None:
    """Both libraries look these names up at each call: in their module, or as the input
    widgets' and the button's static method."""
    flask_babel._get_current_context = babel_context
    wtforms.widgets.core.html_params = html_params
    wtforms.widgets.html_params = html_params  # fields' labels call widgets.html_params
    wtforms.widgets.core.Input.html_params = staticmethod(html_params)
    wtforms.widgets.core.Button.html_params = staticmethod(html_params)
