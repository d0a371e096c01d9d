"""Selection committees: the scoring grid of a call, sessions with their members, declarations of
interest, blind score sheets, the committee's decisions and the signed minutes (PV)."""

from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grants.database import UTCDateTime, enum_type, utcnow
from grants.extensions import Model
from grants.models.accounts import User
from grants.models.applications import Application
from grants.models.calls import Call
from grants.vocabulary import LabelledEnum


class ScoringGrid(Model):
    """The weighted grid of a call: criteria whose maxima add up to 100, and a pass mark."""

    __tablename__ = "scoring_grid"
    __table_args__ = (sa.CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), unique=True)
    pass_mark: Mapped[int] = mapped_column(default=60)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # at the first score

    call: Mapped[Call] = relationship()
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="grid", cascade="all, delete-orphan", order_by="Criterion.position",
        lazy="selectin")

    @property
    def total(self) -> int:
        return sum(c.max_points for c in self.criteria)


class Criterion(Model):
    __tablename__ = "criterion"
    __table_args__ = (
        sa.UniqueConstraint("grid_id", "code"),
        sa.CheckConstraint("max_points > 0", name="max_points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("scoring_grid.id", ondelete="CASCADE"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(8))
    label_fr: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str | None] = mapped_column(Text)
    max_points: Mapped[int]
    eliminatory: Mapped[bool] = mapped_column(default=False)  # 0 points here = unfundable vote
    social_priority: Mapped[bool] = mapped_column(default=False)  # breaks ties in the ranking

    grid: Mapped[ScoringGrid] = relationship(back_populates="criteria")

    def label(self, locale: str) -> str:
        return self.label_en if str(locale).startswith("en") else self.label_fr


class SessionStatus(LabelledEnum):
    SCORING = "scoring", _l("Scoring")
    FINALISED = "finalised", _l("Finalised")

    @property
    def is_scoring(self) -> bool:
        """Members score; the ranking is only a proposal the chair may still change."""
        return self == SessionStatus.SCORING

    @property
    def is_finalised(self) -> bool:
        """The decisions are taken and the minutes written."""
        return self == SessionStatus.FINALISED


class Seat(LabelledEnum):
    VOTING = "voting", _l("Voting member")
    OBSERVER = "observer", _l("Observer")

    @property
    def is_voting(self) -> bool:
        """Scores and counts for the quorum."""
        return self == Seat.VOTING


class CommitteeSession(Model):
    __tablename__ = "committee_session"
    __table_args__ = (sa.CheckConstraint("quorum > 0", name="quorum"),
                      sa.CheckConstraint("spread_threshold > 0", name="spread_threshold"))

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)  # CS-2024-01
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))
    meeting_on: Mapped[date | None]
    scoring_due_on: Mapped[date | None]
    quorum: Mapped[int]  # voting members present needed to deliberate
    spread_threshold: Mapped[int] = mapped_column(default=25)  # max − min above it: discuss
    status: Mapped[SessionStatus] = mapped_column(enum_type(SessionStatus, 16),
                                                  default=SessionStatus.SCORING)
    chair_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    call: Mapped[Call] = relationship(lazy="joined")
    chair: Mapped[User] = relationship(foreign_keys=[chair_id], lazy="joined")
    secretary: Mapped[User | None] = relationship(foreign_keys=[secretary_id])
    members: Mapped[list["SessionMember"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionMember.id",
        lazy="selectin")
    dossiers: Mapped[list["SessionDossier"]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionDossier.id")

    @property
    def member_user_ids(self) -> frozenset[int]:
        """Who sits in this session (the chair included): committee roles reach only these."""
        return frozenset({m.user_id for m in self.members} | {self.chair_id})

    def member(self, user_id: int) -> "SessionMember | None":
        return next((m for m in self.members if m.user_id == user_id), None)

    @property
    def voting_members(self) -> list["SessionMember"]:
        return [m for m in self.members if m.seat == Seat.VOTING]


class SessionMember(Model):
    __tablename__ = "session_member"
    __table_args__ = (sa.UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    seat: Mapped[Seat] = mapped_column(enum_type(Seat, 16))
    organisation: Mapped[str | None] = mapped_column(String(120))
    # The general declaration of interests for the session, before any dossier is opened.
    declared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declaration: Mapped[str | None] = mapped_column(Text)
    present: Mapped[bool | None]  # attendance at the deliberation; None until recorded

    session: Mapped[CommitteeSession] = relationship(back_populates="members")
    user: Mapped[User] = relationship(lazy="joined")


class Decision(LabelledEnum):
    SELECTED = "selected", _l("Selected")
    WAITLISTED = "waitlisted", _l("Waiting list")
    REJECTED = "rejected", _l("Not selected")

    @property
    def is_selected(self) -> bool:
        """Selected: the dossier is granted its amount."""
        return self == Decision.SELECTED

    @property
    def is_rejected(self) -> bool:
        return self == Decision.REJECTED


class DecisionReason(LabelledEnum):
    """Why the ranking proposes a decision. The code is stored at finalisation; its label is
    translated when shown (ranking page, minutes, ranking export)."""

    CHAIR = "chair", _l("Decision of the chair")  # the chair's written justification is apart
    NOT_SCORED = "not_scored", _l("Not scored")
    ELIMINATORY = "eliminatory", _l("Eliminatory criterion failed")
    BELOW_PASS_MARK = "below_pass_mark", _l("Below the pass mark")
    HOLDS_GRANT = "holds_grant", _l("Already holds a grant")
    WITHIN_ENVELOPE = "within_envelope", _l("Within the envelope")
    ENVELOPE_USED_UP = "envelope_used_up", _l("Envelope used up")
    PROMOTED = "promoted", _l("Promoted from the waiting list")


class SessionDossier(Model):
    """A dossier examined by the session, and what the committee decides for it."""

    __tablename__ = "session_dossier"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "application_id"),
        sa.CheckConstraint("granted_amount IS NULL OR granted_amount > 0", name="granted_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_session.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    # The committee may grant less than requested, with a reason.
    granted_amount: Mapped[int | None] = mapped_column(BigInteger)
    amount_reason: Mapped[str | None] = mapped_column(String(300))
    # The chair may move a dossier in or out of the proposed selection, with a justification.
    forced_decision: Mapped[Decision | None] = mapped_column(enum_type(Decision, 16))
    justification: Mapped[str | None] = mapped_column(Text)
    # Filled at finalisation
    rank: Mapped[int | None]
    decision: Mapped[Decision | None] = mapped_column(enum_type(Decision, 16))
    decision_reason_code: Mapped[DecisionReason | None] = mapped_column(
        enum_type(DecisionReason, 20))
    # Text kept as it was written: reasons stored as words before the codes existed, that the
    # migration could not recognise. New decisions store only the code.
    decision_reason: Mapped[str | None] = mapped_column(String(300))

    session: Mapped[CommitteeSession] = relationship(back_populates="dossiers")
    application: Mapped[Application] = relationship(lazy="joined")

    @property
    def amount(self) -> int:
        return self.granted_amount or self.application.requested_amount

    @property
    def decision_reason_text(self) -> str:
        """The reason of the decision in the reader's language (or as it was written)."""
        if self.decision_reason_code is not None:
            return self.decision_reason_code.label
        return self.decision_reason or ""


class InterestDeclaration(Model):
    """A member's declaration for one dossier, made before its content is shown."""

    __tablename__ = "interest_declaration"
    __table_args__ = (sa.UniqueConstraint("member_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("session_member.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    conflicted: Mapped[bool]
    details: Mapped[str | None] = mapped_column(String(300))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    member: Mapped[SessionMember] = relationship()


class SheetStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    SUBMITTED = "submitted", _l("Submitted")

    @property
    def is_draft(self) -> bool:
        """Saved but not submitted: its member may still change it."""
        return self == SheetStatus.DRAFT


class ScoreSheet(Model):
    __tablename__ = "score_sheet"
    __table_args__ = (sa.UniqueConstraint("member_id", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("session_member.id", ondelete="CASCADE"),
                                           index=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    status: Mapped[SheetStatus] = mapped_column(enum_type(SheetStatus, 16),
                                                default=SheetStatus.DRAFT)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    general_comment: Mapped[str | None] = mapped_column(Text)
    # The sheet's figures, kept by the scoring service with its scores (the grid is locked
    # then): the tallies read them instead of every score of the session.
    total: Mapped[int] = mapped_column(default=0, server_default="0")
    social_points: Mapped[int] = mapped_column(default=0, server_default="0")
    eliminatory_failed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    member: Mapped[SessionMember] = relationship(lazy="joined")
    scores: Mapped[list["Score"]] = relationship(
        back_populates="sheet", cascade="all, delete-orphan", lazy="selectin")


class Score(Model):
    __tablename__ = "score"
    __table_args__ = (
        sa.UniqueConstraint("sheet_id", "criterion_id"),
        sa.CheckConstraint("points >= 0", name="points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheet.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"))
    points: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class Minutes(Model):
    """One generated version of the minutes (procès-verbal). Versions are never overwritten."""

    __tablename__ = "minutes"
    __table_args__ = (sa.UniqueConstraint("session_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("committee_session.id"), index=True)
    version: Mapped[int]
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    generated_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    generated_by: Mapped[User] = relationship()
