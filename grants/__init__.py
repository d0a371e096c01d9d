"""Grant management for the reintegration micro-projects of returning migrants (CNRM, Mali)."""

import os
import secrets
from pathlib import Path

from flask import Flask, redirect, request, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from grants import assets, formatting
from grants.config import DefaultConfig
from grants.database import configure_sqlite, request_writes, serving_method
from grants.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate, talisman
from grants.read_only_requests import refuse_writes_outside_transaction
from grants.security import init_talisman

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Settings are read in this order, each overriding the one before: grants/config.py,
    instance/config.py, the environment (DATABASE_URL, SECRET_KEY, GRANTS_*), then `config`."""
    instance_path = os.environ.get("GRANTS_INSTANCE_PATH", str(PROJECT_ROOT / "instance"))
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    _read_environment(app)
    if config:
        app.config.update(config)
    _finish_config(app)

    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.wsgi_app = _noting_request_method(app.wsgi_app)
    _init_extensions(app)
    from grants.operations import request_log

    request_log.init_app(app)  # first hooks: the duration covers the others
    assets.init_app(app)  # outermost: static files skip the app entirely
    _register_blueprints(app)
    _register_hooks(app)
    formatting.register(app)
    from grants import badges
    from grants.cli import register_commands
    from grants.events import connect_receivers

    connect_receivers()

    badges.register(app)
    register_commands(app)
    return app


def _read_environment(app: Flask) -> None:
    for name in ("DATABASE_URL", "SECRET_KEY"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("GRANTS")  # e.g. GRANTS_RATELIMIT_STORAGE_URI
    if os.environ.get("GRANTS_ENV"):
        app.config["GRANTS_ENV"] = os.environ["GRANTS_ENV"]


def _finish_config(app: Flask) -> None:
    cfg = app.config
    url = cfg.get("DATABASE_URL") or cfg.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        url = "sqlite:///" + str(Path(app.instance_path) / "grants.sqlite3")
    if url.startswith(("postgres://", "postgresql://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    cfg["SQLALCHEMY_DATABASE_URI"] = url
    if not url.startswith("sqlite"):
        # A server restart or an idle timeout kills pooled connections: test each one before
        # lending it, so that a dead one is replaced instead of failing a user's request.
        cfg["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **cfg["SQLALCHEMY_ENGINE_OPTIONS"]}

    production = cfg["GRANTS_ENV"] == "production"
    if production:
        cfg["SESSION_COOKIE_SECURE"] = True
    if not cfg.get("SECRET_KEY"):
        if production:
            raise RuntimeError("SECRET_KEY must be set in production (environment or instance/config.py)")
        cfg["SECRET_KEY"] = _development_secret_key(Path(app.instance_path))


def _development_secret_key(instance: Path) -> str:
    """A key kept in instance/ so that demo sessions survive a restart."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        else:
            refuse_writes_outside_transaction(db.engine)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)
    init_talisman(talisman, app)

    from grants import speedups
    from grants.i18n import RequestTranslations, select_locale

    speedups.install()
    babel.init_app(app, locale_selector=select_locale)
    babel.domain_instance = RequestTranslations(domain=app.extensions["babel"].default_domain)

    from grants.services.accounts import load_session_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)

    from grants import jobs

    jobs.init_app(app)


def _noting_request_method(wsgi_app):
    """Tell the database layer which HTTP method the current request has (see
    grants.database.serving_method)."""

    def serve(environ, start_response):
        token = serving_method.set(environ.get("REQUEST_METHOD"))
        writes = request_writes.set(False)
        try:
            return wsgi_app(environ, start_response)
        finally:
            request_writes.reset(writes)
            serving_method.reset(token)

    return serve


def _register_blueprints(app: Flask) -> None:
    from grants.blueprints.admin import bp as admin_bp
    from grants.blueprints.applications import bp as applications_bp
    from grants.blueprints.auth import bp as auth_bp
    from grants.blueprints.beneficiaries import bp as beneficiaries_bp
    from grants.blueprints.committees import bp as committees_bp
    from grants.blueprints.finance import bp as finance_bp
    from grants.blueprints.imports import bp as imports_bp
    from grants.blueprints.main import bp as main_bp
    from grants.blueprints.messages import bp as messages_bp
    from grants.blueprints.operations import bp as operations_bp
    from grants.blueprints.privacy import bp as privacy_bp
    from grants.blueprints.programme import bp as programme_bp
    from grants.blueprints.reminders import bp as reminders_bp
    from grants.blueprints.reports import bp as reports_bp
    from grants.blueprints.transparency import SessionInterface
    from grants.blueprints.transparency import bp as transparency_bp
    from grants.blueprints.visits import bp as visits_bp
    from grants.errors import register_error_handlers
    from grants.jobs.views import bp as jobs_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(operations_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(programme_bp, url_prefix="/programme")
    app.register_blueprint(beneficiaries_bp, url_prefix="/beneficiaires")
    app.register_blueprint(imports_bp, url_prefix="/beneficiaires/import")
    app.register_blueprint(applications_bp, url_prefix="/dossiers")
    app.register_blueprint(committees_bp, url_prefix="/comites")
    app.register_blueprint(finance_bp, url_prefix="/finances")
    app.register_blueprint(visits_bp, url_prefix="/suivi")
    app.register_blueprint(reports_bp, url_prefix="/rapports")
    app.register_blueprint(privacy_bp, url_prefix="/protection-donnees")
    app.register_blueprint(jobs_bp, url_prefix="/telechargements")
    app.register_blueprint(messages_bp, url_prefix="/messages")
    app.register_blueprint(reminders_bp)
    app.register_blueprint(transparency_bp)
    app.session_interface = SessionInterface()  # the public page saves no session
    register_error_handlers(app)


_STATIC_ENDPOINTS = {"static", "bootstrap.static"}
# Endpoints for machines or the public that must not start a session (no cookie is set).
_COOKIELESS_ENDPOINTS = {"operations.health_check", "transparency.index",
                         "messages.delivery_receipt"}
# Endpoints for machines that post JSON rather than a page's form (they read it themselves).
_JSON_ENDPOINTS = {"messages.delivery_receipt"}
# Endpoints a user who must change their password may still reach.
_PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "auth.set_language",
                            *_STATIC_ENDPOINTS}


def _register_hooks(app: Flask) -> None:
    from grants.navigation import main_menu, row_url, url_with
    from grants.permissions import Permission, can

    @app.before_request
    def _force_password_change():
        if (current_user.is_authenticated and current_user.must_change_password
                and request.endpoint not in _PASSWORD_CHANGE_ALLOWED):
            return redirect(url_for("auth.change_password"))
        return None

    @app.before_request
    def _permanent_session():
        # Set once: setting it marks the session changed, and a changed session is signed and
        # sent again.
        if request.endpoint not in _COOKIELESS_ENDPOINTS and not session.permanent:
            session.permanent = True

    @app.after_request
    def _never_stored(response):
        # Shared office computers: what a logged-in user saw (returnees' data, exports, temporary
        # passwords) must not stay in the browser's cache. Static files keep their caching.
        if (request.endpoint not in _STATIC_ENDPOINTS and request.blueprint != "transparency"
                and current_user.is_authenticated):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.before_request
    def _forms_only():
        # Pages post forms. Flask-WTF would read a JSON body as form data and hand numbers,
        # lists and nulls to fields that expect text; a NUL character cannot be stored
        # (PostgreSQL refuses it), in a form or in an address's query string. Both are refused
        # here, once for every route.
        from grants.errors import render_error

        if any("\x00" in value for _name, values in request.args.lists() for value in values):
            return render_error(400, _l("The address contains a character that cannot be read "
                                        "(NUL): remove it and try again."))
        if request.method != "POST" or request.endpoint in _JSON_ENDPOINTS:
            return None
        if request.is_json:
            return render_error(400, _l("This address only accepts forms sent from its page."))
        if any("\x00" in value for _name, values in request.form.lists() for value in values):
            return render_error(400, _l("The form contains a character that cannot be stored "
                                        "(NUL): remove it and try again."))
        return None

    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(get_locale=get_locale, can=can, Permission=Permission,
                                 url_with=url_with, row_url=row_url, main_menu=main_menu,
                                 languages=app.config["LANGUAGES"])
