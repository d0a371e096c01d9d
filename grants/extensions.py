"""Flask extensions, created unbound; create_app binds them to an application."""

from typing import TYPE_CHECKING

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf import CSRFProtect

from grants.database import Base
from grants.read_only_requests import RequestSession

# A request that only reads is served outside a transaction on PostgreSQL (RequestSession).
db = SQLAlchemy(model_class=Base, session_options={"class_": RequestSession})
if TYPE_CHECKING:
    # What db.Model is at run time, spelt so that mypy accepts it as a base class: it cannot
    # follow a class held in an attribute (python/mypy#8603). Models subclass this `Model`.
    from flask_sqlalchemy.model import Model as _FlaskModel

    class Model(_FlaskModel, Base):
        pass
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
talisman = Talisman()
bootstrap = Bootstrap5()
