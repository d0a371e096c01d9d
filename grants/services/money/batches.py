"""Mobile-money batches (lots de paiement): the finance officer groups ordered tranches by
operator; the accountant approves the batch; the operator's result file then pays or fails each
line. Each paid line is an ordinary payment (services/payments.py), keyed by its line: importing
the same result file twice pays nothing more.

A tranche waiting in an open (prepared or approved) batch belongs to it: it is neither paid nor
reversed on its own until the officer removes it from the batch, an action recorded on its line
and in the audit log. Every change of a batch or of a line is a guarded single-statement UPDATE
from the state it expects, in a money transaction."""

import csv
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.database import rows_changed, utcnow
from grants.extensions import db
from grants.models import (
    BatchLine,
    BatchStatus,
    Channel,
    LineResult,
    PaymentBatch,
    Tranche,
    TrancheStatus,
    User,
)
from grants.permissions import Permission
from grants.services import audit
from grants.services.accounts import normalise_phone
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.money import payments
from grants.services.money.core import allow, guarded, lock_agreement, money_transaction
from grants.services.references import next_reference
from grants.vocabulary import LabelledEnum

OPEN = [status for status in BatchStatus if status.is_open]



def batchable(operator: Channel) -> list[Tranche]:
    """Ordered tranches to pay through `operator`, not already waiting in a batch."""
    return list(db.session.scalars(
        db.select(Tranche).join(BatchLine, sa.and_(
            BatchLine.tranche_id == Tranche.id, BatchLine.id.in_(payments.open_batch_lines())),
            isouter=True)
        .where(Tranche.status == TrancheStatus.ORDERED, Tranche.channel == operator,
               BatchLine.id.is_(None))
        .order_by(Tranche.order_number)))


def open_batches_of(tranche_ids: list[int]) -> dict[int, PaymentBatch]:
    """The open batch each of these tranches waits in, if any."""
    rows = db.session.execute(
        db.select(BatchLine.tranche_id, PaymentBatch).join(PaymentBatch)
        .where(BatchLine.tranche_id.in_(tranche_ids),
               BatchLine.id.in_(payments.open_batch_lines())))
    return {tranche_id: batch for tranche_id, batch in rows}


def _chosen(operator: Channel, tranche_ids: list[int]) -> list[Tranche]:
    available = {t.id: t for t in batchable(operator)}
    wanted = list(dict.fromkeys(tranche_ids or []))
    if not wanted or any(i not in available for i in wanted):
        raise ValidationError(_l("Choose ordered tranches of this operator that are not in "
                                 "another batch."), "tranches")
    return [available[i] for i in wanted]


def msisdn(tranche: Tranche) -> str:
    """The wallet of the agreement as an MSISDN in E.164 ("+22376123456"), or why not."""
    try:
        return normalise_phone(tranche.grant.account)
    except ValidationError:
        raise ValidationError(_l("The wallet number of the agreement %(number)s is not a valid "
                                 "phone number: pay this tranche on its own.",
                                 number=tranche.grant.number), "tranches") from None


def create_batch(actor: User, operator: Channel, tranche_ids: list[int]) -> PaymentBatch:
    allow(actor, Permission.GRANT_MANAGE)
    if not operator.is_wallet:
        raise ValidationError(_l("Batches are for mobile-money operators."), "operator")
    money_transaction()
    for grant_id in sorted({t.grant_id for t in _chosen(operator, tranche_ids)}):
        lock_agreement(grant_id)  # no payment or reversal of these tranches meanwhile
    chosen = _chosen(operator, tranche_ids)  # read again, after the locks
    batch = PaymentBatch(reference=next_reference("LP", utcnow().year), operator=operator,
                         created_by_id=actor.id)
    for tranche in chosen:
        application = tranche.grant.application
        batch.lines.append(BatchLine(tranche_id=tranche.id, msisdn=msisdn(tranche),
                                     name=application.lead.full_name, amount=tranche.amount,
                                     reference=tranche.order_number))
    db.session.add(batch)
    db.session.flush()
    audit.record("batch.created", actor, batch, details={"lines": len(chosen),
                                                         "operator": operator.value})
    return batch


def _lock_batch(batch_id: int, statuses: list[BatchStatus], message) -> PaymentBatch:
    """Take the batch's row first (a guarded UPDATE that changes no value): the changes of one
    batch's lines run one after the other, and see each other's results."""
    guarded(sa.update(PaymentBatch).where(PaymentBatch.id == batch_id,
                                          PaymentBatch.status.in_(statuses))
            .values(status=PaymentBatch.status), message)
    return db.session.get_one(PaymentBatch, batch_id)


def _complete_when_done(actor: User, batch: PaymentBatch) -> None:
    """An open batch with no pending line left is completed (a guarded UPDATE)."""
    pending = sa.exists(sa.select(BatchLine.id).where(BatchLine.batch_id == batch.id,
                                                      BatchLine.result == LineResult.PENDING))
    done = rows_changed(db.session, sa.update(PaymentBatch)
                        .where(PaymentBatch.id == batch.id, PaymentBatch.status.in_(OPEN), ~pending)
                        .values(status=BatchStatus.COMPLETED))
    if done:
        db.session.refresh(batch)
        audit.record("batch.completed", actor, batch)


def approve(actor: User, batch_id: int) -> PaymentBatch:
    """The accountant approves a prepared batch, once: two approvals at once approve it once."""
    allow(actor, Permission.PAYMENT_EXECUTE)
    money_transaction()
    batch = db.session.get_one(PaymentBatch, batch_id)
    if actor.id == batch.created_by_id:
        raise ForbiddenError(_l("The officer who prepared a batch cannot approve it."))
    guarded(sa.update(PaymentBatch)
            .where(PaymentBatch.id == batch_id, PaymentBatch.status == BatchStatus.PREPARED,
                   PaymentBatch.created_by_id != actor.id)
            .values(status=BatchStatus.APPROVED, approved_by_id=actor.id,
                    approved_at=utcnow()),
            _l("This batch is no longer waiting for approval: it was approved or closed "
               "meanwhile."))
    db.session.refresh(batch)
    audit.record("batch.approved", actor, batch)
    return batch


def remove_line(actor: User, batch_id: int, line_id: int, reason: str) -> BatchLine:
    """Take a tranche out of an open batch (it is then ordered, to be paid on its own or in
    another batch). Recorded on its line (who, when, why) and in the audit log."""
    allow(actor, Permission.GRANT_MANAGE)
    if not (reason or "").strip():
        raise ValidationError(_l("Say why the tranche leaves the batch."), "reason")
    money_transaction()
    batch = _lock_batch(batch_id, OPEN, _l("This batch is completed: its lines have their "
                                           "results."))
    guarded(sa.update(BatchLine)
            .where(BatchLine.id == line_id, BatchLine.batch_id == batch_id,
                   BatchLine.result == LineResult.PENDING)
            .values(result=LineResult.REMOVED, removed_by_id=actor.id, removed_at=utcnow(),
                    removal_reason=reason.strip()[:300]),
            _l("This line already has a result."))
    line = db.session.get_one(BatchLine, line_id)
    db.session.refresh(line)
    audit.record("batch.line_removed", actor, batch, details={
        "line": line.id, "tranche": line.tranche_id, "order": line.reference})
    _complete_when_done(actor, batch)
    return line


# --- the operator's result file ----------------------------------------------------------

@dataclass
class ResultRow:
    number: int
    reference: str
    success: bool
    operator_reference: str


class Outcome(LabelledEnum):
    """What the import did with one line of the operator's result file."""

    PAID = "paid", _l("Paid")
    FAILED = "failed", _l("Failed: the tranche stays ordered")
    ALREADY = "already", _l("Already recorded: nothing more")
    REMOVED = "removed", _l("Removed from the batch earlier: nothing recorded")
    UNKNOWN = "unknown", _l("No line of this batch has this reference")
    UNREADABLE = "unreadable", _l("Unreadable: expected reference; status; transaction")
    REFUSED = "refused", _l("Refused")

    @property
    def is_problem(self) -> bool:
        """The line changed nothing because something in it is wrong (shown in red)."""
        return self in (Outcome.UNKNOWN, Outcome.UNREADABLE, Outcome.REFUSED)


@dataclass
class LineReport:
    number: int
    reference: str
    outcome: Outcome
    message: str = ""


def parse_results(text: str) -> list[ResultRow | LineReport]:
    """The operator's result file: reference; status (OK/SUCCESS or anything else = failed);
    transaction id. Each row to apply, or the report of an unreadable one."""
    rows: list[ResultRow | LineReport] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    try:
        for number, fields in enumerate(reader, start=1):
            if not fields or (number == 1
                              and fields[0].strip().lower() in ("reference", "référence")):
                continue
            if len(fields) < 2 or not fields[0].strip():
                rows.append(LineReport(number, (fields[0] if fields else "")[:40],
                                       Outcome.UNREADABLE))
                continue
            status = fields[1].strip().upper()
            rows.append(ResultRow(number, fields[0].strip()[:40],
                                  status in ("OK", "SUCCESS", "SUCCES"),
                                  fields[2].strip()[:80] if len(fields) > 2 else ""))
    except csv.Error:  # a field over the csv module's limit (128 KB), a NUL byte…: the rest
        rows.append(LineReport(reader.line_num, "", Outcome.UNREADABLE))  # cannot be read
    return rows


def settled_outcomes(batch_id: int, rows: list) -> dict[int, LineReport]:
    """The lines of a result file whose outcome the batch already tells, by line number: a
    reference it does not hold, a line already recorded or taken out. Read in one query, they
    need no transaction of their own (a file sent again is answered at once); results never
    return to pending, so `apply_result` would answer the same. Only for an approved or completed
    batch (before approval every line is refused)."""
    batch = db.session.get(PaymentBatch, batch_id)
    if batch is None or batch.status not in (BatchStatus.APPROVED, BatchStatus.COMPLETED):
        return {}
    results = dict(db.session.execute(sa.select(BatchLine.reference, BatchLine.result).where(
        BatchLine.batch_id == batch_id)).all())
    settled = {}
    for row in rows:
        if not isinstance(row, ResultRow):
            continue
        result = results.get(row.reference)
        if result is None:
            settled[row.number] = LineReport(row.number, row.reference, Outcome.UNKNOWN)
        elif result != LineResult.PENDING:
            settled[row.number] = LineReport(row.number, row.reference, Outcome.REMOVED
                                             if result == LineResult.REMOVED else Outcome.ALREADY)
    return settled


def apply_result(actor: User, batch_id: int, row: ResultRow) -> LineReport:
    """One line of the result file, in a money transaction of its own. Only successful lines
    are posted, through the payment service, keyed by their line."""
    allow(actor, Permission.PAYMENT_EXECUTE)
    money_transaction()
    if db.session.get_one(PaymentBatch, batch_id).status == BatchStatus.PREPARED:
        raise ConflictError(_l("Approve the batch before importing its results."))
    batch = _lock_batch(batch_id, [BatchStatus.APPROVED, BatchStatus.COMPLETED],
                        _l("Approve the batch before importing its results."))
    line = db.session.scalar(sa.select(BatchLine).where(BatchLine.batch_id == batch_id,
                                                        BatchLine.reference == row.reference))
    if line is None:
        return LineReport(row.number, row.reference, Outcome.UNKNOWN)
    if line.result != LineResult.PENDING:  # the same file again, or a line taken out
        removed = line.result == LineResult.REMOVED
        return LineReport(row.number, row.reference,
                          Outcome.REMOVED if removed else Outcome.ALREADY)
    values: dict[str, object] = {"result": LineResult.FAILED,
                                 "operator_reference": row.operator_reference or None}
    if row.success:
        payment = payments.pay_ordered(actor, line.tranche_id, f"batch-line-{line.id}",
                                       row.operator_reference or line.reference,
                                       batch_line_id=line.id)
        values.update(result=LineResult.PAID, payment_id=payment.id)
    guarded(sa.update(BatchLine).where(BatchLine.id == line.id,
                                       BatchLine.result == LineResult.PENDING).values(**values),
            _l("This line already has a result."))
    db.session.refresh(line)
    audit.record("batch.line", actor, batch, details={"line": line.id,
                                                      "result": line.result.value})
    _complete_when_done(actor, batch)
    return LineReport(row.number, row.reference,
                      Outcome.PAID if row.success else Outcome.FAILED)
