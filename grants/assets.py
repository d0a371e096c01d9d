"""Static files (Bootstrap, our CSS, JS and icon) served compressed and cached for a year.

At start the app copies each source file into the build folder under a name that carries a hash
of its content (css/app.3f2a9c1d7e0b.css), with a gzip and a brotli copy beside it, then WhiteNoise
serves that folder under /static/: it picks the .br or .gz copy the browser accepts and marks
every file immutable. A new release changes the hash, hence the URL, so a browser never keeps a
stale file; files already built are not rebuilt, so starting costs a hash of ~330 kB. Templates
name a file by its source name through `asset_url` (a Jinja global)."""

import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import flask_bootstrap
from flask import Flask, url_for
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

OWN_STATIC = Path(__file__).resolve().parent / "static"
_BOOTSTRAP = Path(flask_bootstrap.__file__).resolve().parent / "static" / "bootstrap5"
# The files Bootstrap-Flask's load_css()/load_js() would link, under our own names.
BOOTSTRAP_FILES = {
    "bootstrap/bootstrap.min.css": _BOOTSTRAP / "css" / "bootstrap.min.css",
    "bootstrap/popper.min.js": _BOOTSTRAP / "umd" / "popper.min.js",
    "bootstrap/bootstrap.min.js": _BOOTSTRAP / "js" / "bootstrap.min.js",
}
CACHE_FOREVER = "public, max-age=31536000, immutable"
# Service workers served from /static/ and the area each may control (a worker's scope is by
# default its own folder): the field officer's offline worker serves the follow-up pages.
SERVICE_WORKERS = {"js/offline-worker.js": "/suivi/"}
_SOURCE_MAP_MARKERS = (b"/*# sourceMappingURL=", b"//# sourceMappingURL=")


def source_files() -> Iterator[tuple[str, Path]]:
    """(name used in templates, file on disk) for every asset."""
    yield from BOOTSTRAP_FILES.items()
    for path in sorted(OWN_STATIC.rglob("*")):
        if path.is_file():
            yield path.relative_to(OWN_STATIC).as_posix(), path


def versioned_name(name: str, content: bytes) -> str:
    stem, dot, extension = name.rpartition(".")
    digest = hashlib.sha256(content).hexdigest()[:12]
    return f"{stem}.{digest}.{extension}" if dot else f"{name}.{digest}"


def _content(path: Path) -> bytes:
    data = path.read_bytes()
    # The .map files are not shipped: a browser's developer tools would ask for them in vain.
    for marker in _SOURCE_MAP_MARKERS:
        start = data.rfind(marker)
        if start != -1:
            data = data[:start].rstrip() + b"\n"
    return data


def _write_atomically(target: Path, data: bytes) -> None:
    # Several gunicorn workers may build at once: each writes a private file, then renames it.
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.chmod(temporary, 0o644)  # mkstemp makes it private; a proxy may serve the folder itself
    os.replace(temporary, target)


def _write_with_compressed_copies(target: Path, data: bytes) -> None:
    compressor = Compressor(quiet=True)
    if compressor.should_compress(target.name):
        compressions = [(".gz", compressor.compress_gzip)]
        if compressor.use_brotli:
            compressions.append((".br", compressor.compress_brotli))
        for suffix, compress in compressions:
            packed = compress(data)
            if compressor.is_compressed_effectively(suffix, str(target), len(data), packed):
                _write_atomically(target.with_name(target.name + suffix), packed)
    _write_atomically(target, data)  # last: its presence means the copies are there too


def build(build_dir: Path) -> dict[str, str]:
    """Write what is missing in build_dir; return {source name: versioned name}."""
    manifest = {}
    for name, path in source_files():
        data = _content(path)
        versioned = versioned_name(name, data)
        target = build_dir / versioned
        if not target.exists():
            _write_with_compressed_copies(target, data)
        manifest[name] = versioned
    return manifest


def url_for_static(app: Flask, versioned: str) -> str:
    """The address WhiteNoise serves `versioned` at (no request needed)."""
    return f"{app.static_url_path}/{versioned}"


def init_app(app: Flask) -> None:
    build_dir = Path(app.config["ASSETS_BUILD_DIR"])
    manifest = build(build_dir)

    def asset_url(name: str) -> str:
        return url_for("static", filename=manifest[name])

    worker_scopes = {url_for_static(app, manifest[name]): scope
                     for name, scope in SERVICE_WORKERS.items() if name in manifest}

    def immutable_headers(headers, _path: str, url: str) -> None:
        headers["Cache-Control"] = CACHE_FOREVER
        headers["X-Content-Type-Options"] = "nosniff"  # as on pages (Talisman does not see these)
        if url in worker_scopes:
            headers["Service-Worker-Allowed"] = worker_scopes[url]

    app.jinja_env.globals["asset_url"] = asset_url
    app.extensions["asset_manifest"] = manifest
    app.wsgi_app = WhiteNoise(app.wsgi_app, root=str(build_dir), prefix=app.static_url_path,  # type: ignore[method-assign]
                              max_age=None, add_headers_function=immutable_headers)



def main() -> None:
    """`make assets`: build before the first start, for a checkout the app may not write to."""
    import sys

    from grants.config import DefaultConfig

    folder = Path(sys.argv[1] if len(sys.argv) > 1 else DefaultConfig.ASSETS_BUILD_DIR)
    for source, versioned in build(folder).items():
        print(f"{source} -> {folder / versioned}")
