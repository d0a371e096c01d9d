"""A small world for the tests that walk every POST route: each object is built through the
services on first use, so a route's test builds only what its form needs (a call, a dossier in
a given status, a committee session, an agreement with tranches, a batch, a visit…)."""

import uuid
from functools import cached_property

from grants.extensions import db
from grants.models import (
    Application,
    Channel,
    CommitteeSession,
    Grant,
    Partner,
    Role,
    Seat,
    User,
    Visit,
)
from grants.services.committees import grids, scoring, selection, sessions
from grants.services.followup import referrals, visit_reports
from grants.services.intake import applications, members
from grants.services.money import agreements, batches, payments
from grants.vocabulary import ProjectType, ReferralService
from grants.workflow import ApplicationStatus
from tests import factories
from tests.factories import PAID_ON, report

# Who acts on each kind of route (usernames of the scenario's users).
ROLES = {"admin": Role.ADMIN, "manager": Role.PROGRAMME_MANAGER, "intake": Role.INTAKE_AGENT,
         "officer": Role.FINANCE_OFFICER, "accountant": Role.ACCOUNTANT,
         "field": Role.FIELD_OFFICER, "chair": Role.COMMITTEE_CHAIR,
         "member": Role.COMMITTEE_MEMBER, "observer": Role.COMMITTEE_MEMBER,
         "target": Role.AUDITOR, "dpo": Role.DATA_PROTECTION_OFFICER}


def _key() -> str:
    return str(uuid.uuid4())


class Scenario:
    """Objects of the test database, created on first use inside the app context."""

    def __init__(self, app, make_user):
        self.app, self._make_user, self._people = app, make_user, 0

    def user_id(self, name: str) -> int:
        return self._users[name]

    @cached_property
    def _users(self) -> dict[str, int]:
        regions = {"intake": ("01",), "field": ("01",)}
        return {name: self._make_user(role, username=name, regions=regions.get(name, ("00",)))
                for name, role in ROLES.items()}

    def user(self, name: str) -> User:
        return db.session.get(User, self.user_id(name))

    def _commit(self, obj):
        db.session.commit()
        return obj.id

    # --- intake ------------------------------------------------------------------------
    @cached_property
    def call(self) -> int:
        return self._commit(factories.open_call(self.user("manager"), cap=2_500_000))

    def _call(self):
        from grants.models import Call

        return db.session.get(Call, self.call)

    def person(self, **profile) -> int:
        self._people += 1
        return self._commit(factories.person(self.user("manager"), f"Personne{self._people}",
                                             "Essai", id_number=f"G{self._people}", **profile))

    @cached_property
    def beneficiary(self) -> int:
        return self.person()

    @cached_property
    def call_message(self) -> int:
        """A message on the call list of region 01 (a returnee who asked to be called)."""
        from grants.models import ContactChannel, MessageEvent
        from grants.services.notifications import outbox

        person = self._person(self.person(phone="+22376000002"))
        outbox.set_preference(self.user("manager"), person, "fr", ContactChannel.CALL)
        message = outbox.queue(person, MessageEvent.SUBMITTED, "scenario:call",
                               {"reference": "AP-2026-0999"})
        assert message is not None
        return self._commit(message)

    def _application(self, application_id: int) -> Application:
        return db.session.get(Application, application_id)

    @cached_property
    def draft(self) -> int:
        """A complete draft (individual) that can be submitted."""
        return self._commit(factories.complete_dossier(
            self.user("manager"), self._call(), self._person(self.beneficiary)))

    def _person(self, beneficiary_id: int):
        from grants.models import Beneficiary

        return db.session.get(Beneficiary, beneficiary_id)

    @cached_property
    def collective(self) -> tuple[int, int]:
        """A collective draft with a second member: (application id, member id)."""
        app = applications.create_draft(self.user("manager"), call=self._call(),
                                        lead=self._person(self.person()),
                                        project_type=ProjectType.COLLECTIVE)
        members.add_member(self.user("manager"), app, self._person(self.person()))
        db.session.commit()
        return app.id, app.members[-1].id

    @cached_property
    def submitted(self) -> int:
        app = factories.complete_dossier(self.user("manager"), self._call(),
                                         self._person(self.person()))
        applications.submit(self.user("manager"), app)
        return self._commit(app)

    def eligible(self) -> int:
        return self._commit(factories.eligible_dossier(
            self.user("manager"), self._call(), self._person(self.person()), requested=1_000_000))

    def selected(self) -> int:
        app = self._application(self.eligible())
        app.status = ApplicationStatus.SELECTED  # the committee's decision
        return self._commit(app)

    # --- committees ----------------------------------------------------------------------
    @cached_property
    def session(self) -> int:
        """A session in scoring on two eligible dossiers; the chair and the member declared;
        the member scored the first dossier, the chair both (so the chair sees the ranking);
        the observer has not declared yet."""
        manager = self.user("manager")
        dossiers = [self._application(self.eligible()) for _ in range(2)]
        members = [sessions.MemberInput(self.user("member"), Seat.VOTING, "Ministère"),
                   sessions.MemberInput(self.user("observer"), Seat.OBSERVER, "OIM")]
        meeting = sessions.create_session(manager, self._call(), title="Comité",
                                            chair=self.user("chair"), members=members,
                                            applications=dossiers, quorum=1)
        for name in ("chair", "member"):
            sessions.declare_for_session(self.user(name), meeting, None)
        grid = grids.grid_for(meeting.call)
        points = factories.points_for(grid, 80)
        for name, dossier in (("member", dossiers[0]), ("chair", dossiers[0]),
                              ("chair", dossiers[1])):
            sessions.declare_for_dossier(self.user(name), meeting, dossier, False, None)
            scoring.save_sheet(self.user(name), meeting, dossier, points,
                               factories.comments_for(grid, points), submit=True)
        return self._commit(meeting)

    def meeting(self) -> CommitteeSession:
        return db.session.get(CommitteeSession, self.session)

    def session_dossier(self) -> int:
        return self.meeting().dossiers[0].id

    def session_application(self, n: int = 0) -> int:
        return sorted(d.application_id for d in self.meeting().dossiers)[n]

    def declared_dossier(self) -> int:
        """The session's second dossier, which the member declared free of interest (its
        sheet is open)."""
        application_id = self.session_application(1)
        sessions.declare_for_dossier(self.user("member"), self.meeting(),
                                       self._application(application_id), False, None)
        db.session.commit()
        return application_id

    def sheet(self) -> int:
        from grants.models import ScoreSheet

        return db.session.scalar(db.select(ScoreSheet.id).order_by(ScoreSheet.id))

    @cached_property
    def finalised_session(self) -> int:
        meeting = self.meeting()
        selection.record_attendance(self.user("chair"), meeting,
                                    {self.user_id("chair"), self.user_id("member")})
        selection.finalise(self.user("chair"), meeting)
        return self._commit(meeting)

    # --- money ---------------------------------------------------------------------------
    def agreement(self, channel: Channel = Channel.BANK, account: str = "ML123 BDM 0001") -> int:
        grant = agreements.prepare_agreement(self.user("officer"),
                                             self._application(self.selected()),
                                             amount=1_000_000, channel=channel, account=account)
        return self._commit(grant)

    def signed(self, **kwargs) -> int:
        grant_id = self.agreement(**kwargs)
        agreements.sign_agreement(self.user("officer"), grant_id, PAID_ON, _key())
        db.session.commit()
        return grant_id

    def grant(self, grant_id: int) -> Grant:
        return db.session.get(Grant, grant_id)

    def ordered(self, **kwargs) -> tuple[int, int]:
        """A signed agreement whose first tranche is ordered: (grant id, tranche id)."""
        grant_id = self.signed(**kwargs)
        tranche = payments.order_payment(self.user("officer"), self.grant(grant_id).tranches[0].id,
                                         _key())
        db.session.commit()
        return grant_id, tranche.id

    @cached_property
    def paid(self) -> tuple[int, int]:
        """An agreement whose first tranche is paid: (grant id, payment id)."""
        grant_id, tranche_id = self.ordered()
        payment = payments.pay_tranche(self.user("accountant"), tranche_id, _key(), "VIR-1",
                                       PAID_ON)
        db.session.commit()
        return grant_id, payment.id

    def wallet_tranche(self) -> int:
        return self.ordered(channel=Channel.ORANGE_MONEY, account="+22376000001")[1]

    @cached_property
    def batch(self) -> int:
        batch = batches.create_batch(self.user("officer"), Channel.ORANGE_MONEY,
                                     [self.wallet_tranche()])
        return self._commit(batch)

    @cached_property
    def batch_line(self) -> int:
        from grants.models import BatchLine

        return db.session.scalar(db.select(BatchLine.id).where(BatchLine.batch_id == self.batch))

    @cached_property
    def approved_batch(self) -> int:

        batches.approve(self.user("accountant"), self.batch)
        db.session.commit()
        return self.batch

    # --- follow-up -----------------------------------------------------------------------
    @cached_property
    def followed(self) -> int:
        """The dossier of the paid agreement (its visits are planned)."""
        return self.grant(self.paid[0]).application_id

    def visits(self) -> list[Visit]:
        return list(db.session.scalars(db.select(Visit).where(
            Visit.application_id == self.followed).order_by(Visit.due_on, Visit.id)))

    @cached_property
    def planned_visit(self) -> int:
        return self.visits()[0].id

    @cached_property
    def submitted_visit(self) -> int:
        visit = self.visits()[0]
        visit_reports.submit_visit(self.user("field"), visit.id, report(visit), _key())
        db.session.commit()
        return visit.id

    @cached_property
    def partner(self) -> int:
        return self._commit(referrals.save_partner(
            self.user("manager"), Partner(), name="Centre d'écoute", region_id=None,
            services=[s.value for s in ReferralService], contact_name="", phone="", email="",
            address="", active=True))

    @cached_property
    def referral(self) -> int:
        from grants.models import Partner as PartnerModel

        visit = db.session.get(Visit, self.planned_visit)
        done = referrals.refer(self.user("manager"), visit.application.lead,
                               partner=db.session.get(PartnerModel, self.partner),
                               service=ReferralService.PSYCHOSOCIAL, reason="Soutien",
                               visit=visit)
        return self._commit(done)

    # --- imports of partner lists ----------------------------------------------------------
    def _import(self, run: bool) -> int:
        from grants.services.imports import batches

        actor = self.user("manager")
        batch, table = batches.upload(actor, factories.csv_bytes(
            factories.partner_list(6, bad=1)), "liste.csv")
        batches.preview(actor, batch, table)
        if run:
            batches.queue(actor, batch)
            batches.run_import(actor, batch.id)
        return self._commit(batch)

    @cached_property
    def import_batch(self) -> int:
        return self._import(run=False)

    @cached_property
    def imported_batch(self) -> int:
        return self._import(run=True)
