"""A returnee's rights over their data, for the data-protection officer: their file (JSON and
French PDF), who read their confidential data, and erasure on request."""

import io
import json

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from grants.blueprints.privacy import bp
from grants.blueprints.privacy.forms import ErasureForm
from grants.database import write_transaction
from grants.extensions import db
from grants.forms import attempt
from grants.models import Beneficiary
from grants.paging import paginate
from grants.permissions import Permission, get_or_404, require
from grants.services.privacy import erasure, person_file


def _person(beneficiary_id: int) -> Beneficiary:
    return get_or_404(Beneficiary, beneficiary_id, Permission.DATA_PROTECTION)


def _page(person: Beneficiary, form: ErasureForm, status: int = 200):
    readings = paginate(person_file.readings(person.id), 50)
    return render_template(
        "privacy/person.html", person=person, form=form, readings=readings,
        erased=erasure.is_erased(person), blocking=erasure.blocking_dossiers(person)), status


@bp.route("/personnes/<int:beneficiary_id>")
@require(Permission.DATA_PROTECTION)
def person(beneficiary_id: int):
    return _page(_person(beneficiary_id), ErasureForm(formdata=None))


def _produced(person: Beneficiary, file_format: str) -> dict:
    write_transaction(db.session)  # a GET that writes its audit row
    data = person_file.produce(current_user, person, file_format)
    db.session.commit()
    return data


@bp.route("/personnes/<int:beneficiary_id>/fiche.json")
@require(Permission.DATA_PROTECTION)
def file_json(beneficiary_id: int):
    person = _person(beneficiary_id)
    body = json.dumps(_produced(person, "json"), ensure_ascii=False, indent=2)
    return send_file(io.BytesIO(body.encode()), mimetype="application/json", as_attachment=True,
                     download_name=f"donnees-{person.code}.json", max_age=0)


@bp.route("/personnes/<int:beneficiary_id>/fiche.pdf")
@require(Permission.DATA_PROTECTION)
def file_pdf(beneficiary_id: int):
    from grants.exports import person_file as labels
    from grants.exports.pdf import render_pdf

    person = _person(beneficiary_id)
    data = _produced(person, "pdf")
    with force_locale("fr"):  # the person's file is a French document
        pdf = render_pdf("privacy/file_pdf.html", file=data, label=labels.label,
                         shown=labels.shown)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", as_attachment=True,
                     download_name=f"donnees-{person.code}.pdf", max_age=0)


@bp.route("/personnes/<int:beneficiary_id>/effacer", methods=["POST"])
@require(Permission.DATA_PROTECTION)
def erase(beneficiary_id: int):
    person = _person(beneficiary_id)
    form = ErasureForm()
    if not form.validate_on_submit():
        return _page(person, form, 200)
    done = attempt(lambda: erasure.erase(current_user, person, form.reason.data), form)
    if not done:
        return _page(person, form, 200)
    erased = done.value
    assert isinstance(erased, erasure.Erasure)
    erasure.discard_files(erased.files)  # committed: the files go now
    flash(_("The person has been erased; the records the law keeps now show %(pseudonym)s.",
            pseudonym=erased.pseudonym), "success")
    return redirect(url_for("privacy.person", beneficiary_id=person.id))
