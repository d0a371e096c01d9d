"""Error pages, in the user's language."""

import sqlalchemy as sa
from flask import g, has_request_context, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError

from grants.extensions import db

ERROR_PAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Access denied"), _l("You do not have the right to see this page or do this action.")),
    404: (_l("Page not found"), _l("This page does not exist or is not available to you.")),
    405: (_l("Method not allowed"), _l("This address does not accept this kind of request.")),
    413: (_l("File too large"), _l("The file or form sent is larger than allowed (10 MB).")),
    429: (_l("Too many attempts"), _l("Too many attempts in a short time. Wait a few minutes and "
                                        "try again.")),
    # The server cannot know whether an earlier request saved what the user did (a payment
    # saved, then its next page failing): the page says what to check, never "nothing saved".
    500: (_l("Server error"), _l("Something went wrong on our side. Before doing it again, open "
                                   "the page of what you were working on (or its history) to "
                                   "see whether your last action was recorded. If it happens "
                                   "again, tell your administrator.")),
}
SAVED_THEN_FAILED = _l("Your action was saved, but something went wrong on our side while "
                       "preparing the next page. Open the page of what you were working on to "
                       "see the result; do not do it again. If it happens again, tell your "
                       "administrator.")


@sa.event.listens_for(sa.orm.Session, "after_commit")
def _note_commit(_session) -> None:
    """Remember that this request saved something: its error page then says so."""
    if has_request_context():
        g.committed = True


def render_error(code: int, message=None):
    title, default = ERROR_PAGES[code]
    return render_template("errors/error.html", code=code, title=title,
                           message=message or default), code


def register_error_handlers(app) -> None:
    for code in ERROR_PAGES:
        if code == 500:
            continue
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(400, _l("The form has expired or was not sent from this site. "
                                    "Reload the page and try again."))

    @app.errorhandler(500)
    def _server_error(_error):
        db.session.rollback()
        return render_error(500, SAVED_THEN_FAILED if g.get("committed") else None)
