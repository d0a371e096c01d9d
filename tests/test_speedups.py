"""grants/speedups.py replaces two library functions with faster ones: each must give exactly
what the library's own gives."""

import pytest
from markupsafe import Markup
from wtforms import Form, SelectChoice, SelectField, StringField, SubmitField
from wtforms.widgets import core

from grants import speedups


def test_flask_babels_context_is_the_app_contexts_own(app):
    """The same namespace as `g._flask_babel`, none outside an app context, a fresh one in
    each context; Flask-Babel's functions use it."""
    import flask_babel
    from flask import g

    assert flask_babel._get_current_context is speedups.babel_context
    assert speedups.babel_context() is None
    with app.app_context():
        first = speedups.babel_context()
        assert first is g._flask_babel and speedups.babel_context() is first
    with app.test_request_context():
        assert speedups.babel_context() is not first
        assert flask_babel.get_locale().language == "fr"


ATTRIBUTES = [
    {}, {"name": "q", "id": "q", "class_": "form-control"}, {"checked": True, "readonly": False},
    {"value": 'Il a dit "oui" & <b>non</b>'}, {"value": Markup('<b class="x">déjà</b>')},
    {"data_offline_url": "/suivi/?a=1&b=2", "aria_describedby": "q-help", "for_": "q"},
    {"value": 0, "min": -5, "step": 1.5, "title": None}, {"placeholder": "jj/mm/aaaa"},
    {"onclick": "x'y", "style": ">"}, {"multiple": True, "size": 4, "required": False},
]


@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_html_params_writes_what_wtforms_writes(attributes):
    mine, theirs = speedups.html_params(**attributes), speedups.wtforms_html_params(**attributes)
    assert mine == theirs and isinstance(mine, Markup)


def _use(function) -> None:
    import wtforms.widgets

    core.html_params = wtforms.widgets.html_params = function
    core.Input.html_params = core.Button.html_params = staticmethod(function)


def test_widgets_draw_through_it_with_wtforms_output(app):
    class Sample(Form):
        name = StringField("Nom <complet>", render_kw={"placeholder": 'le "nom"'})
        region = SelectField("Région", choices=[SelectChoice("1", "Kayes & Kita"),
                                                SelectChoice("2", "Ségou")])
        send = SubmitField("Envoyer")

    def draw(form):
        return [str(form.name(class_="form-control")), str(form.name.label(class_="form-label")),
                str(form.region()), str(form.send())]

    assert core.html_params is speedups.html_params
    assert core.Input.html_params is speedups.html_params
    form = Sample(data={"name": 'A "B" <C>', "region": "2"})
    drawn = draw(form)
    try:
        _use(speedups.wtforms_html_params)
        theirs = draw(form)
    finally:
        speedups.install()
    assert drawn == theirs
    assert 'value="A &#34;B&#34; &lt;C&gt;"' in drawn[0] and "Nom &lt;complet&gt;" in drawn[1]
