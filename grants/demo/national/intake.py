"""National intake, in bulk: the returnees and their dossiers (budget lines, members, documents,
the submitted version, the screening and each status change), as the intake services record
them."""

import hashlib
import os
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l

from grants.demo.intake import TINY_PDF, budget_lines_for
from grants.demo.national.bulk import at
from grants.demo.people import COUNTRIES, FEMALE, MALE, PLACES, PROJECTS, SKILLS, SURNAMES
from grants.extensions import db
from grants.models import (
    Application,
    ApplicationMember,
    ApplicationRevision,
    Attachment,
    Beneficiary,
    BudgetLine,
    Call,
    CheckItem,
    CheckResult,
    Consent,
    Screening,
    ScreeningItem,
    ScreeningOutcome,
    User,
)
from grants.services.intake import calls
from grants.services.intake.applications import snapshot
from grants.services.intake.beneficiaries import CURRENT_NOTICE_VERSION, id_number_key, name_key
from grants.storage import stored_path, upload_root
from grants.vocabulary import (
    BeneficiaryCategory,
    ConsentScope,
    ContributionKind,
    DocumentKind,
    Education,
    IdType,
    ProjectType,
    ReturnMode,
    Sector,
    Sex,
    SupportMode,
    VerificationStatus,
)
from grants.workflow import ApplicationAction, ApplicationStatus

# Per 3 600 dossiers of a call (scaled): (final status at intake, count). The four past calls
# send 3 000 eligible dossiers each to their committee; the open call is still being filled.
PLAN_PAST = [("eligible", 3000), ("ineligible_age", 150), ("ineligible_group", 150),
             ("incomplete", 150), ("withdrawn", 75), ("draft", 75)]
PLAN_OPEN = [("draft", 1440), ("submitted", 1080), ("incomplete", 360), ("eligible", 720)]
PARTNERS_PER_DOSSIER = 20  # every 20th dossier is collective, with one partner
SCREENING_ACTIONS = {"eligible": ApplicationAction.DECLARE_ELIGIBLE,
                     "incomplete": ApplicationAction.DECLARE_INCOMPLETE,
                     "ineligible": ApplicationAction.DECLARE_INELIGIBLE}


@dataclass
class Dossier:
    """What the later steps need to know of a dossier, without loading it."""

    id: int
    call: int  # index in National.calls
    status: str
    lead_id: int
    region_id: int
    requested: int
    submitted_at: datetime | None
    line_ids: list[int] = field(default_factory=list)
    people: list[int] = field(default_factory=list)
    state: ApplicationStatus = ApplicationStatus.DRAFT
    phone: str | None = None
    name: str = ""


def seed_people_and_dossiers(ctx) -> None:
    plan = []
    for index in range(len(ctx.calls)):
        for status, count in (PLAN_OPEN if index == 4 else PLAN_PAST):
            plan += [(index, status)] * ctx.scaled(count)
    partners_needed = len(plan) // PARTNERS_PER_DOSSIER
    loose = max(0, ctx.scaled(20_000) - len(plan) - partners_needed)
    writer = _Writer(ctx)
    partners = [writer.person(ctx.calls[0].opens_on, "partner")  # registered early
                for _ in range(partners_needed)]
    for n, (index, status) in enumerate(plan):
        call = ctx.calls[index]
        showcase = not ctx.showcase_done and index == 2 and status == "eligible"
        lead = writer.person(call.opens_on, status, showcase=showcase)
        partner = partners.pop() if n % PARTNERS_PER_DOSSIER == 7 and partners else None
        dossier = writer.dossier(index, status, lead, partner, showcase)
        ctx.dossiers.append(dossier)
        if showcase:
            ctx.showcase_done, ctx.showcase = True, dossier.id
    for _ in range(loose):  # registered, no dossier yet (some refused processing)
        writer.person(ctx.rng.choice(ctx.calls).opens_on, "loose")
    writer.flush()
    manager = db.session.get(User, ctx.users["gestionnaire"])
    for call in ctx.calls[:4]:  # the past calls are closed
        calls.advance_call(manager, db.session.get(Call, call.id))


class _Writer:
    """Builds the rows of people and dossiers, and inserts them table by table."""

    def __init__(self, ctx):
        self.ctx, self.rng = ctx, ctx.rng
        self.rows: dict = {t: [] for t in (Beneficiary, Consent, Application, ApplicationMember,
                                           BudgetLine, Attachment, ApplicationRevision,
                                           Screening, ScreeningItem)}
        self.codes = [code for code, (weight, *_rest) in PLACES.items() for _ in range(weight)]
        self.sectors = list(SKILLS)
        self.root = upload_root().resolve()
        self.source: Path | None = None
        self.folders: set[Path] = set()
        self.pdf_sha = hashlib.sha256(TINY_PDF).hexdigest()
        self.revision_reason = str(_l("Submitted version"))

    def _id(self, model) -> int:
        return self.ctx.loader.new_id(model.__table__)

    def person(self, call_opens: date, status: str, showcase: bool = False) -> dict:
        rng, ctx = self.rng, self.ctx
        person_id = self._id(Beneficiary)
        n = person_id
        consent_day = min(call_opens + timedelta(days=rng.randint(0, 40)), ctx.today)
        code = "00" if showcase else rng.choice(self.codes)
        _weight, cercle, communes = PLACES[code]
        female = n % 4 == 1
        first = "Boubacar" if showcase else rng.choice(FEMALE if female else MALE)
        last = "Keïta" if showcase else rng.choice(SURNAMES)
        sector = self.sectors[n % len(self.sectors)]
        region_id = ctx.regions[code]
        actor = ctx.agents[region_id][0] if region_id in ctx.agents else ctx.users["gestionnaire"]
        processing = status != "loose" or n % 50 != 0
        row = dict(id=person_id, code=ctx.loader.reference("ML", consent_day.year),
                   first_name=first, last_name=last, name_key=name_key(first, last),
                   created_by_id=actor, created_at=at(consent_day), updated_at=at(consent_day),
                   verification_status=VerificationStatus.VERIFIED if n % 5 in (0, 2, 3)
                   else VerificationStatus.UNVERIFIED, birth_date_estimated=n % 9 == 0,
                   user_id=ctx.users["demandeur"] if showcase else None)
        profile = dict.fromkeys(("sex", "birth_date", "id_type", "id_number", "id_number_key",
                                 "phone", "region_id", "cercle", "commune", "address",
                                 "category", "return_country", "return_date", "return_mode",
                                 "iom_case_number", "education", "skills", "skills_abroad",
                                 "household_size", "verification_note", "client_token"))
        if processing:
            id_number = f"{10**13 + n * 7919:014d}{'ABCDEFGHJK'[n % 10]}"
            profile.update(
                sex=Sex.FEMALE if female else Sex.MALE,
                birth_date=date(1958 if status == "ineligible_age" else rng.randint(1978, 2003),
                                rng.randint(1, 12), rng.randint(1, 28)),
                id_type=IdType.NINA, id_number=id_number, id_number_key=id_number_key(id_number),
                phone="+22376000002" if showcase else f"+223{['76', '66', '79', '65'][n % 4]}"
                                                      f"{100_000 + n:06d}",
                region_id=region_id, cercle=cercle, commune=rng.choice(communes),
                category=BeneficiaryCategory.POTENTIAL_MIGRANT if status == "ineligible_group"
                else BeneficiaryCategory.RETURNEE,
                return_country=rng.choice(COUNTRIES),
                return_date=consent_day - timedelta(days=rng.randint(30, 700)),
                return_mode=rng.choice(list(ReturnMode)),
                iom_case_number=f"MLI-{10000 + n % 90000}" if n % 3 == 0 else None,
                education=rng.choice(list(Education)), skills=SKILLS[sector][0],
                skills_abroad=SKILLS[sector][1], household_size=rng.randint(1, 12))
        else:
            row["verification_status"], row["birth_date_estimated"] = \
                VerificationStatus.UNVERIFIED, False
        row.update(profile)
        self.rows[Beneficiary].append(row)
        scopes = sorted(s.value for s in ConsentScope if s != ConsentScope.PHOTO or n % 5) \
            if processing else []
        self.rows[Consent].append(dict(
            id=self._id(Consent), beneficiary_id=person_id, given_on=consent_day,
            notice_version=CURRENT_NOTICE_VERSION, scopes=scopes, signature_id=None,
            recorded_by_id=actor, recorded_at=at(consent_day), withdrawn_at=None,
            withdrawn_by_id=None, withdrawal_reason=None))
        ctx.loader.audit("beneficiary.registered", actor, "beneficiary", person_id,
                         at(consent_day), {"processing_consent": processing})
        return dict(row, sector=sector, consent_day=consent_day, actor=actor)

    def dossier(self, index: int, status: str, lead: dict, partner: dict | None,
                showcase: bool) -> Dossier:
        rng, ctx = self.rng, self.ctx
        call = ctx.calls[index]
        app_id = self._id(Application)
        day = max(lead["consent_day"], call.opens_on) + timedelta(days=rng.randint(0, 5))
        day = min(day, call.closes_on, ctx.today)
        kind = ProjectType.COLLECTIVE if partner else (
            ProjectType.COMMUNITY if app_id % 23 == 7 else ProjectType.INDIVIDUAL)
        title, product, _template = PROJECTS[lead["sector"]]
        _title, _product, lines, requested, own = budget_lines_for(rng, lead["sector"], call.cap_per_project)
        if showcase:
            requested, own = call.cap_per_project, call.cap_per_project // 9 + 5000
            lines = [dict(category="equipment", item=PROJECTS[lead["sector"]][2][0][1],
                          quantity=1, unit_cost=requested + own)]
        place = lead["commune"]
        submitted = status != "draft"
        actor = lead["actor"]
        row = dict(
            id=app_id, reference=ctx.loader.reference("AP", call.opens_on.year) if submitted
            else None, call_id=call.id, project_type=kind, lead_id=lead["id"],
            community_name=f"Association des jeunes de {place}"
            if kind == ProjectType.COMMUNITY else None,
            status=ApplicationStatus.DRAFT, title=f"{title} à {place}",
            sector=Sector(lead["sector"]), region_id=lead["region_id"], cercle=lead["cercle"],
            commune=place, activity=f"{product}. Activité lancée par {lead['first_name']} "
                                    f"{lead['last_name']} à {place}.",
            product_service=product, customers_market="Habitants du quartier et marchés voisins",
            competition="Quelques concurrents, mais la demande dépasse l'offre",
            suppliers="Fournisseurs de Bamako et du marché local",
            monthly_revenue=rng.randint(30, 90) * 5000, monthly_costs=rng.randint(10, 25) * 5000,
            jobs_planned=rng.randint(1, 4), jobs_women=1 if lead["sex"] == Sex.FEMALE else 0,
            jobs_youth=1, training_needs="Gestion simplifiée et comptabilité",
            budget_total=0, own_contribution=0, own_contribution_kind=ContributionKind.NONE,
            own_contribution_details=None, requested_amount=0, support_mode=None,
            created_by_id=actor, created_at=at(day), updated_at=at(day),
            submitted_at=at(day) if submitted else None, client_token=None)
        members = [dict(id=self._id(ApplicationMember), application_id=app_id,
                        beneficiary_id=lead["id"], is_lead=True,
                        share_percent=50 if partner else 100)]
        if partner:
            members.append(dict(id=self._id(ApplicationMember), application_id=app_id,
                                beneficiary_id=partner["id"], is_lead=False, share_percent=50))
        dossier = Dossier(app_id, index, status, lead["id"], lead["region_id"], 0,
                          row["submitted_at"], people=[m["beneficiary_id"] for m in members],
                          phone=lead["phone"], name=f"{lead['first_name']} {lead['last_name']}")
        ctx.loader.audit("application.created", actor, "application", app_id, at(day),
                         {"call": call.id})
        line_rows, attachments = [], []
        if submitted:
            row.update(own_contribution=own, own_contribution_kind=ContributionKind.CASH,
                       own_contribution_details="Épargne personnelle", requested_amount=requested,
                       support_mode=rng.choice(list(SupportMode)),
                       budget_total=sum(line["quantity"] * line["unit_cost"] for line in lines))
            for position, line in enumerate(lines, start=1):
                line_rows.append(dict(id=self._id(BudgetLine), application_id=app_id,
                                      position=position, total=line["quantity"] * line["unit_cost"],
                                      **line))
            attachments = [self._attachment(app_id, kind, lead, actor, day)
                           for kind in (DocumentKind.ID_SCAN, DocumentKind.PROFORMA)]
            dossier.requested, dossier.line_ids = requested, [line["id"] for line in line_rows]
        self.rows[Application].append(row)
        self.rows[ApplicationMember] += members
        self.rows[BudgetLine] += line_rows
        self.rows[Attachment] += attachments
        if submitted:
            self._submit(row, members, line_rows, attachments, actor, day)
            self._after_submission(row, dossier, status, day)
        dossier.state = row["status"]
        return dossier

    def _attachment(self, app_id: int, kind: DocumentKind, lead: dict, actor: int, day: date):
        token = uuid.uuid4().hex
        stored_name = f"{token[:2]}/{token}.pdf"
        self._store(stored_name)
        self.ctx.loader.audit("application.document_added", actor, "application", app_id, at(day),
                              {"kind": kind.value})
        return dict(id=self._id(Attachment), application_id=app_id, beneficiary_id=None,
                    kind=kind, display_name=f"{kind.value}-{lead['code']}.pdf",
                    stored_name=stored_name, content_type="application/pdf",
                    size=len(TINY_PDF), sha256=self.pdf_sha, uploaded_by_id=actor,
                    uploaded_at=at(day))

    def _store(self, stored_name: str) -> None:
        """The same small PDF under every generated name (a hard link where the disk allows)."""
        if self.source is None:
            self.source = stored_path(self.root, stored_name)
            self.source.parent.mkdir(parents=True, exist_ok=True)
            self.source.write_bytes(TINY_PDF)
            return
        folder = self.root / stored_name[:2]
        if folder not in self.folders:
            folder.mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)
        try:
            os.link(self.source, self.root / stored_name)
        except OSError:
            (self.root / stored_name).write_bytes(TINY_PDF)

    def _submit(self, row, members, line_rows, attachments, actor, day) -> None:
        view = SimpleNamespace(**row, budget_lines=[SimpleNamespace(**line) for line in line_rows],
                               members=[SimpleNamespace(**m) for m in members],
                               attachments=[SimpleNamespace(**a) for a in attachments])
        self.rows[ApplicationRevision].append(dict(
            id=self._id(ApplicationRevision), application_id=row["id"], number=1,
            snapshot=snapshot(view), reason=self.revision_reason, author_id=actor, at=at(day)))
        self.event(row, ApplicationAction.SUBMIT, ApplicationStatus.SUBMITTED, actor, at(day))

    def event(self, row: dict, action, target, actor: int, when: datetime,
              comment: str | None = None) -> None:
        self.ctx.event(row["id"], action, row["status"], target, actor, when, comment)
        row["status"] = target

    def _after_submission(self, row: dict, dossier: Dossier, status: str, day: date) -> None:
        manager = self.ctx.users["gestionnaire"]
        when = at(min(day + timedelta(days=self.rng.randint(3, 20)), self.ctx.today), 11)
        if status == "withdrawn":
            self.event(row, ApplicationAction.WITHDRAW, ApplicationStatus.WITHDRAWN,
                       row["created_by_id"], when, "Le porteur a trouvé un emploi salarié")
        elif status != "submitted":
            self._screen(row, status, manager, when)

    def _screen(self, row: dict, status: str, manager: int, when: datetime) -> None:
        """The checklist of services/screening.screen(), with the outcome the plan says."""
        failing = {"ineligible_age": CheckItem.AGE, "ineligible_group": CheckItem.TARGET_GROUP,
                   "incomplete": CheckItem.DOCUMENTS}.get(status)
        outcome = (ScreeningOutcome.ELIGIBLE if failing is None else ScreeningOutcome.INCOMPLETE
                   if status == "incomplete" else ScreeningOutcome.INELIGIBLE)
        reason = {ScreeningOutcome.INCOMPLETE: "Fournir une facture pro forma lisible et signée",
                  ScreeningOutcome.INELIGIBLE: "Ne remplit pas les conditions de l'appel"
                  }.get(outcome)
        screening_id = self._id(Screening)
        self.rows[Screening].append(dict(id=screening_id, application_id=row["id"],
                                         outcome=outcome, reason=reason,
                                         screened_by_id=manager, screened_at=when))
        for item in CheckItem:
            failed = item == failing
            self.rows[ScreeningItem].append(dict(
                id=self._id(ScreeningItem), screening_id=screening_id, item=item,
                result=CheckResult.FAIL if failed else CheckResult.PASS,
                suggested=CheckResult.FAIL if failed and item != CheckItem.DOCUMENTS
                else CheckResult.PASS,
                comment=("Facture pro forma illisible" if item == CheckItem.DOCUMENTS
                         else "Constaté à l'examen du dossier") if failed else None))
        self.event(row, SCREENING_ACTIONS[outcome.value], ApplicationStatus(outcome.value),
                   manager, when, reason)

    def flush(self) -> None:
        for model, rows in self.rows.items():
            self.ctx.loader.insert(model.__table__, rows)
            rows.clear()
