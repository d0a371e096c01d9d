"""A list page's filter form: read from the address, checked, and drawn once per combination of
filters, choices and language in each process.

Building, validating and drawing a filter form of eight fields cost as much as a page of rows
(the register, the dossiers). Its result depends only on the address's filters, the choices its
selects offer (calls, envelopes, regions, read by the caller on each request) and the language,
so each combination is kept (a bounded cache: a search box makes many). The form's template
draws the form alone: nothing from the request but what the form holds."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from flask import render_template, request
from flask_babel import get_locale
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms.fields.core import UnboundField

from grants.forms import choices, filtered


@dataclass(frozen=True)
class DrawnFilters:
    values: Mapping[str, object]  # each field's value; None where the address's was refused
    html: Markup  # the form, each refused value's message at its field
    refused: bool  # some value was refused


def drawn_filters(form_class, template: str, **options: Iterable[tuple]) -> DrawnFilters:
    """The filters of the address for `form_class`, its selects named in `options` offering
    those (value, label) pairs, drawn by `template` (which is given `form`)."""
    names = _field_names(form_class)
    args = tuple((key, value) for key, value in request.args.items(multi=True) if key in names)
    frozen = tuple((name, tuple((value, str(label)) for value, label in pairs))
                   for name, pairs in sorted(options.items()))
    return _drawn(form_class, template, str(get_locale()), args, frozen)


@lru_cache(maxsize=64)
def _field_names(form_class) -> frozenset[str]:
    return frozenset(name for klass in form_class.__mro__ for name, value in vars(klass).items()
                     if isinstance(value, UnboundField))


@lru_cache(maxsize=256)
def _drawn(form_class, template: str, locale: str, args: tuple, options: tuple) -> DrawnFilters:
    """`locale` is the request's language, in which the form is drawn: part of the key only."""
    form = form_class(MultiDict(args))
    for name, pairs in options:
        getattr(form, name).choices = choices(pairs)
    filtered(form)
    html = Markup(render_template(template, form=form))  # noqa: S704 (autoescaped)
    return DrawnFilters(MappingProxyType({field.name: field.data for field in form}), html,
                        bool(form.errors))
