"""Reading the audit log in words: the action's sentence, the object by its reference
(AP-2026-0015, CV-2024-0033…) and the details as labelled fields ("Montant : 1 500 000 F CFA").

References are read in bulk: one query per object type among the rows shown (a page, or a
batch of an export), never one per row."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from grants.audit_labels import MONEY_KEYS, action_label, detail_label, object_label
from grants.extensions import db
from grants.formatting import money
from grants.models import (
    Application,
    Beneficiary,
    BudgetEnvelope,
    Call,
    Channel,
    CommitteeSession,
    Grant,
    IndicatorReport,
    MessageTemplate,
    Outcome,
    Partner,
    PaymentBatch,
    Referral,
    ScoreSheet,
    ScoringGrid,
    Tranche,
    User,
    Visit,
    WeightSet,
)
from grants.models.committees import Decision
from grants.vocabulary import CallStatus, DocumentKind, ReferralService, VerificationStatus
from grants.workflow import ApplicationStatus, ReferralStatus

Pair = tuple[str, str]


def _tranche_text(number: str, seq: int) -> str:
    return _("%(agreement)s, tranche %(seq)d", agreement=number, seq=seq)


# object type -> the select of (id, reference…) for some ids. Each reference is an identifier,
# never a person's name (the log holds no personal data).
_REFERENCES: dict[str, Callable[[list[int]], sa.Select]] = {
    "application": lambda ids: sa.select(Application.id, sa.func.coalesce(
        Application.reference, "#" + sa.cast(Application.id, sa.String))).where(
        Application.id.in_(ids)),
    "beneficiary": lambda ids: sa.select(Beneficiary.id, Beneficiary.code).where(
        Beneficiary.id.in_(ids)),
    "user_account": lambda ids: sa.select(User.id, User.username).where(User.id.in_(ids)),
    "grant_agreement": lambda ids: sa.select(Grant.id, Grant.number).where(Grant.id.in_(ids)),
    "tranche": lambda ids: sa.select(Tranche.id, Grant.number, Tranche.seq).join(
        Grant, Grant.id == Tranche.grant_id).where(Tranche.id.in_(ids)),
    "payment_batch": lambda ids: sa.select(PaymentBatch.id, PaymentBatch.reference).where(
        PaymentBatch.id.in_(ids)),
    "budget_envelope": lambda ids: sa.select(BudgetEnvelope.id, BudgetEnvelope.name).where(
        BudgetEnvelope.id.in_(ids)),
    "committee_session": lambda ids: sa.select(CommitteeSession.id, CommitteeSession.reference)
    .where(CommitteeSession.id.in_(ids)),
    "score_sheet": lambda ids: sa.select(ScoreSheet.id, sa.func.coalesce(
        Application.reference, "#" + sa.cast(Application.id, sa.String))).join(
        Application, Application.id == ScoreSheet.application_id).where(ScoreSheet.id.in_(ids)),
    "scoring_grid": lambda ids: sa.select(ScoringGrid.id, Call.title).join(
        Call, Call.id == ScoringGrid.call_id).where(ScoringGrid.id.in_(ids)),
    "call": lambda ids: sa.select(Call.id, Call.title).where(Call.id.in_(ids)),
    "visit": lambda ids: sa.select(Visit.id, Visit.reference).where(Visit.id.in_(ids)),
    "referral": lambda ids: sa.select(Referral.id, Beneficiary.code).join(
        Beneficiary, Beneficiary.id == Referral.beneficiary_id).where(Referral.id.in_(ids)),
    "partner": lambda ids: sa.select(Partner.id, Partner.name).where(Partner.id.in_(ids)),
    "weight_set": lambda ids: sa.select(WeightSet.id, "v" + sa.cast(
        WeightSet.version, sa.String)).where(WeightSet.id.in_(ids)),
    "message_template": lambda ids: sa.select(MessageTemplate.id, MessageTemplate.event,
                                              MessageTemplate.language).where(
        MessageTemplate.id.in_(ids)),
    "indicator_report": lambda ids: sa.select(IndicatorReport.id, "v" + sa.cast(
        IndicatorReport.version, sa.String)).where(IndicatorReport.id.in_(ids)),
}


def _reads(object_type: str, row) -> str:
    if object_type == "tranche":
        return _tranche_text(row[1], row[2])
    if object_type == "message_template":
        return f"{getattr(row[1], 'label', row[1])} ({row[2]})"
    return str(row[1])


def references(pairs: Iterable[tuple[str | None, str | None]]) -> dict[Pair, str]:
    """{(object type, object id): reference} for these objects, one query per object type."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for object_type, object_id in pairs:
        if (object_type in _REFERENCES and object_id and object_id.isascii()
                and object_id.isdigit() and len(object_id) <= 9):  # an INTEGER id
            wanted[object_type].add(int(object_id))
    found: dict[Pair, str] = {}
    for object_type, ids in wanted.items():
        for row in db.session.execute(_REFERENCES[object_type](sorted(ids))):
            found[(object_type, str(row[0]))] = _reads(object_type, row)
    return found


# Detail values that are codes of a value list, translated by the list of the action's family.
_STATUS_ENUMS: dict[str, type[Enum]] = {
    "application.": ApplicationStatus, "call.": CallStatus,
    "beneficiary.": VerificationStatus, "referral.": ReferralStatus}
_CODE_ENUMS: dict[str, type[Enum]] = {
    "kind": DocumentKind, "service": ReferralService, "operator": Channel, "channel": Channel,
    "decision": Decision}


def _code_label(enum: type[Enum], value: Any) -> Any:
    try:
        return enum(value).label  # type: ignore[attr-defined]
    except ValueError:
        return value


def _text(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{detail_label(str(k))}: {_text(v)}" for k, v in sorted(value.items()))
    return str(value)


def detail_fields(action: str, details: dict | None) -> list[tuple[str, str]]:
    """An event's details as (label, value) pairs in words, amounts as "1 500 000 F CFA"."""
    if not details:
        return []
    fields = []
    for key, value in sorted(details.items()):
        if key in MONEY_KEYS and isinstance(value, int) and not isinstance(value, bool):
            text = money(value)
        elif key in ("from", "to"):
            enum = next((e for prefix, e in _STATUS_ENUMS.items() if action.startswith(prefix)),
                        None)
            text = _text(_code_label(enum, value) if enum and value else value)
        elif key in _CODE_ENUMS and isinstance(value, str):
            text = _text(_code_label(_CODE_ENUMS[key], value))
        else:
            text = _text(value)
        fields.append((detail_label(key), text))
    return fields


def details_text(action: str, details: dict | None) -> str:
    """The details on one line, for the exports: "Montant : 1 500 000 F CFA ; Ordre : …"."""
    return " ; ".join(_("%(label)s: %(value)s", label=label, value=value)
                      for label, value in detail_fields(action, details))


@dataclass(frozen=True)
class Line:
    """An audit event as the log's page shows it."""

    event: Any
    action: str
    object_kind: str
    reference: str
    details: list[tuple[str, str]]


def lines(events: list) -> list[Line]:
    found = references((e.object_type, e.object_id) for e in events)
    return [Line(e, action_label(e.action), object_label(e.object_type),
                 _reference(found, e.object_type, e.object_id),
                 detail_fields(e.action, e.details)) for e in events]


def _reference(found: dict[Pair, str], object_type: str | None, object_id: str | None) -> str:
    if not object_type:
        return ""
    return found.get((object_type, object_id or ""), f"#{object_id}" if object_id else "")


def export_rows(rows: Iterable, batch: int) -> Iterable[list]:
    """The exports' rows (at, username, action, object type, object id, outcome, details) in
    words, references read once per batch of rows."""
    chunk: list = []

    def flush() -> Iterable[list]:
        found = references((r[3], r[4]) for r in chunk)
        for at, username, action, object_type, object_id, outcome, details in chunk:
            yield [at, username, action_label(action), action, object_label(object_type),
                   _reference(found, object_type, object_id), Outcome(outcome).label,
                   details_text(action, details)]

    for row in rows:
        chunk.append(row)
        if len(chunk) >= batch:
            yield from flush()
            chunk = []
    yield from flush()
