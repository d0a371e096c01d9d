"""Static files: precompressed, cached for a year under names that change with their content, and
a first page light enough for slow office links (issue 12 point 6)."""

import gzip
import re
from pathlib import Path

import pytest

from grants import assets, create_app
from tests.conftest import app_config

FIRST_PAGE_BUDGET = 100_000  # bytes transferred: the login page and everything it loads
TEMPLATES = Path(assets.__file__).parent / "templates"


def linked_assets(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def first_page_weight(client, encoding: str) -> tuple[int, dict[str, int]]:
    """Bytes of the login page (as the app sends it) plus each asset it links, as sent when the
    browser accepts `encoding`."""
    page = client.get("/connexion")
    assert page.status_code == 200
    sizes = {"/connexion": len(page.data)}
    for url in linked_assets(page.get_data(as_text=True)):
        response = client.get(url, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200, url
        sizes[url] = len(response.data)
        response.close()
    return sum(sizes.values()), sizes


def test_static_files_are_sent_precompressed_with_a_year_of_immutable_caching(app, client):
    html = client.get("/connexion").get_data(as_text=True)
    css = next(url for url in linked_assets(html) if "/bootstrap.min." in url and url.endswith(".css"))
    plain = client.get(css)
    gzipped = client.get(css, headers={"Accept-Encoding": "gzip"})
    brotli = client.get(css, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.headers.get("Content-Encoding") is None
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert brotli.headers["Content-Encoding"] == "br"
    for response in (plain, gzipped, brotli):
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.mimetype == "text/css"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert len(gzipped.data) < len(plain.data) / 5
    assert gzip.decompress(gzipped.data) == plain.data
    for response in (plain, gzipped, brotli):
        response.close()


def test_the_versioned_name_changes_with_the_content(tmp_path, monkeypatch, database_url):
    """A new release must never be served a browser's cached copy of the old file."""
    sources = tmp_path / "static"
    (sources / "css").mkdir(parents=True)
    monkeypatch.setattr(assets, "OWN_STATIC", sources)
    monkeypatch.setattr(assets, "BOOTSTRAP_FILES", {})

    def served(content: str) -> tuple[str, str]:
        (sources / "css" / "app.css").write_text(content)
        app = create_app(app_config(database_url, ASSETS_BUILD_DIR=str(tmp_path / "build")))
        with app.test_request_context():
            url = app.jinja_env.globals["asset_url"]("css/app.css")
        response = app.test_client().get(url)
        body = response.get_data(as_text=True)
        response.close()
        return url, body

    old_url, old_body = served("body { color: red; }")
    new_url, new_body = served("body { color: blue; }")
    assert old_url != new_url
    assert re.fullmatch(r"/static/css/app\.[0-9a-f]{12}\.css", new_url)
    assert (old_body, new_body) == ("body { color: red; }", "body { color: blue; }")
    assert served("body { color: red; }")[0] == old_url  # the same content keeps its name


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_the_first_page_weighs_at_most_100_kB(client, encoding):
    total, sizes = first_page_weight(client, encoding)
    print(f"login page and its assets ({encoding}): {total} bytes", sizes)
    assert len(sizes) >= 4  # the page, Bootstrap's CSS and JS, our CSS
    assert total <= FIRST_PAGE_BUDGET, sizes


def test_templates_link_static_files_only_through_asset_url():
    offenders = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
                 if re.search(r"url_for\(\s*['\"]static|/static/|bootstrap\.load_(css|js)",
                              path.read_text())]
    assert offenders == []
