"""KoboToolbox / ODK: the questionnaire as an XLSForm, and the import of their submissions."""

from flask import render_template
from flask_login import current_user

from grants.blueprints.visits import bp
from grants.blueprints.visits.forms import ImportForm
from grants.exports.xlsx import send_xlsx, temporary_xlsx
from grants.extensions import db
from grants.permissions import Permission, require
from grants.services.followup import field_tools

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@bp.route("/terrain", methods=["GET", "POST"])
@require(Permission.VISIT_RECORD)
def field_tools_page():
    form = ImportForm()
    results = None
    if form.validate_on_submit():
        data = form.file.data.read(MAX_IMPORT_BYTES + 1)
        if len(data) > MAX_IMPORT_BYTES:
            form.file.errors.append(field_tools.too_large_message())
        else:
            results = field_tools.import_submissions(current_user, data)
            db.session.commit()  # the rows that passed; each bad row left nothing behind
    return render_template("visits/field_tools.html", form=form, results=results)


@bp.route("/terrain/formulaire-xlsform.xlsx")
@require(Permission.VISIT_VIEW)
def xlsform():
    return send_xlsx(field_tools.write_xlsform(temporary_xlsx()), f"{field_tools.FORM_ID}.xlsx")
