"""The one PDF writer: an HTML template rendered by WeasyPrint, with our own stylesheet and no
request to any other host."""

from pathlib import Path

from flask import current_app, render_template
from num2words import num2words


def amount_in_words(amount: int) -> str:
    """1500000 -> "un million cinq cent mille francs CFA" (as on a PV or an agreement)."""
    return f"{num2words(amount, lang='fr')} francs CFA"


def _no_external_fetch(url: str, *args, **kwargs):
    """Only the app's own static files may be read while rendering."""
    from weasyprint import default_url_fetcher

    static = Path(current_app.static_folder).resolve()
    if url.startswith("file://") and Path(url.removeprefix("file://")).resolve().is_relative_to(static):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"refused to fetch {url}")


def render_pdf(template: str, **context) -> bytes:
    from weasyprint import HTML

    html = render_template(template, **context)
    base = Path(current_app.static_folder).resolve().as_uri() + "/"
    return HTML(string=html, base_url=base, url_fetcher=_no_external_fetch).write_pdf()
