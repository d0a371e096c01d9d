"""Partners, referrals and the weight sets of the sustainability scores."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from grants.blueprints.visits import bp
from grants.blueprints.visits.forms import (
    PartnerForm,
    ReferralForm,
    ReferralStatusForm,
    WeightSetForm,
)
from grants.extensions import db
from grants.forms import attempt, choices
from grants.models import Partner, Referral, Visit, WeightSet
from grants.paging import paginate
from grants.permissions import Permission, get_or_404, region_scope, require
from grants.services.followup import referrals, sustainability
from grants.services.followup.questionnaire import ITEMS
from grants.services.regions import all_regions
from grants.vocabulary import ReferralService
from grants.workflow import REFERRAL_TRANSITIONS, ReferralStatus


@bp.route("/ponderations")
@require(Permission.VISIT_VIEW)
def weight_sets():
    sets = db.session.scalars(db.select(WeightSet).order_by(WeightSet.version.desc())).all()
    return render_template("visits/weight_sets.html", sets=sets, items=ITEMS)


@bp.route("/ponderations/nouvelle", methods=["GET", "POST"])
@require(Permission.PROGRAMME_MANAGE)
def new_weight_set():
    current = sustainability.current_weight_set()
    form = WeightSetForm(weights="\n".join(f"{code} = {weight:g}"
                                           for code, weight in current.weights.items()))
    if form.validate_on_submit():
        # Checked here, so that mistakes show on the form; every stored score is then
        # recomputed in the background (a job), in one transaction with the new weight set.
        threshold = float(form.threshold.data)

        def check() -> dict[str, float]:
            sustainability.check_weight_set(form.name.data, threshold)
            return sustainability.parse_weights(form.weights.data)

        checked = attempt(check, form)
        if checked:
            from grants import jobs

            job = jobs.start("weights", {"name": form.name.data, "threshold": threshold,
                                         "official": bool(form.official.data),
                                         "weights": checked.value})
            flash(_("The new weights are being loaded and every score recomputed."), "success")
            return redirect(url_for("jobs.show", job_id=job.id))
    return render_template("visits/weight_set_form.html", form=form, items=ITEMS)


def _region_choices(form) -> None:
    regions = all_regions()
    form.region_id.choices = choices([(0, _("National"))] + [(r.id, r.name) for r in regions])


@bp.route("/partenaires")
@require(Permission.REFERRAL_MANAGE)
def partners():
    rows = db.session.scalars(db.select(Partner).order_by(Partner.active.desc(), Partner.name,
                                                          Partner.id)).all()
    return render_template("visits/partners.html", partners=rows, Service=ReferralService)


@bp.route("/partenaires/nouveau", methods=["GET", "POST"], defaults={"partner_id": None})
@bp.route("/partenaires/<int:partner_id>", methods=["GET", "POST"])
@require(Permission.PROGRAMME_MANAGE)
def partner_form(partner_id: int | None):
    partner = get_or_404(Partner, partner_id, Permission.PROGRAMME_MANAGE) if partner_id \
        else Partner()
    form = PartnerForm(obj=partner if partner_id else None)
    _region_choices(form)
    if partner_id and not form.is_submitted():
        form.region_id.data = partner.region_id or 0
    if form.validate_on_submit():
        done = attempt(lambda: referrals.save_partner(
            current_user, partner, name=form.name.data, services=form.services.data,
            region_id=form.region_id.data or None, contact_name=form.contact_name.data,
            phone=form.phone.data, email=form.email.data, address=form.address.data,
            active=form.active.data), form)
        if done:
            flash(_("The partner is saved."), "success")
            return redirect(url_for("visits.partners"))
    return render_template("visits/partner_form.html", form=form, partner=partner)


@bp.route("/orientations")
@require(Permission.REFERRAL_MANAGE)
def referral_list():
    # Only what the list shows: the eager loads of the people and visits (roles, regions,
    # consents, dossiers) would add a statement per kind of related row found on the page.
    query = (db.select(Referral).options(
        joinedload(Referral.visit).load_only(Visit.id, Visit.reference).lazyload("*"),
        joinedload(Referral.created_by).lazyload("*"),
        joinedload(Referral.beneficiary).lazyload("*"))
             .order_by(Referral.created_at.desc(), Referral.id.desc()))
    regions = region_scope(current_user, Permission.REFERRAL_MANAGE)
    if regions is not None:
        query = query.where(Referral.region_id.in_(regions))
    page = paginate(query, per_page=50)
    return render_template("visits/referrals.html", page=page,
                           status_form=ReferralStatusForm(formdata=None),
                           transitions=REFERRAL_TRANSITIONS)


@bp.route("/visites/<int:visit_id>/orienter", methods=["GET", "POST"])
@require(Permission.REFERRAL_MANAGE)
def refer(visit_id: int):
    visit = get_or_404(Visit, visit_id, Permission.REFERRAL_MANAGE)
    person = visit.application.lead
    form = ReferralForm()
    active = db.session.scalars(db.select(Partner).where(Partner.active.is_(True))
                                .order_by(Partner.name, Partner.id)).all()
    form.partner_id.choices = choices(
        [(p.id, f"{p.name} ({p.region.name if p.region else _('National')})") for p in active])
    if form.validate_on_submit():
        partner = db.session.get(Partner, form.partner_id.data)
        done = attempt(lambda: referrals.refer(
            current_user, person, partner=partner, service=ReferralService(form.service.data),
            reason=form.reason.data, visit=visit), form)
        if done:
            flash(_("The referral is recorded."), "success")
            return redirect(url_for("visits.visit", visit_id=visit.id))
    elif not form.is_submitted() and visit.score is not None:
        suggested = sustainability.suggestions(visit)
        if suggested:
            from grants.services.followup.questionnaire import SUGGESTED_SERVICES

            form.service.data = SUGGESTED_SERVICES[suggested[0]][0].value
    return render_template("visits/refer.html", form=form, visit=visit, person=person,
                           partners=active)


@bp.route("/orientations/<int:referral_id>/statut", methods=["POST"])
@require(Permission.REFERRAL_MANAGE)
def referral_status(referral_id: int):
    referral = get_or_404(Referral, referral_id, Permission.REFERRAL_MANAGE)
    form = ReferralStatusForm()
    if not form.validate_on_submit():
        abort(400)
    if attempt(lambda: referrals.follow(current_user, referral, ReferralStatus(form.status.data),
                                        form.note.data or "")):
        flash(_("The referral is updated."), "success")
    return redirect(url_for("visits.referral_list"))
