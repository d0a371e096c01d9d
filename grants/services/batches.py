"""Mobile-money batches (lots de paiement): the finance officer groups ordered tranches by
operator; the accountant approves the batch; the operator's result file then pays or fails each
line. Each paid line is an ordinary payment (services/payments.py), keyed by its line: importing
the same result file twice pays nothing more."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from grants.database import utcnow
from grants.exports.csv import csv_rows
from grants.extensions import db
from grants.models import (
    Application,
    BatchLine,
    BatchStatus,
    Channel,
    LineResult,
    PaymentBatch,
    Tranche,
    TrancheStatus,
    User,
)
from grants.permissions import Permission, can
from grants.services import audit, payments
from grants.services.errors import ConflictError, ForbiddenError, ValidationError
from grants.services.references import next_reference

BULK_HEADER = ["MSISDN", "Nom", "Montant", "Reference"]


def _allow(actor: User, permission: Permission) -> None:
    if not can(actor, permission):
        raise ForbiddenError(_l("You may not do this operation."))


def batchable(operator: Channel) -> list[Tranche]:
    """Ordered tranches to pay through `operator`, not already waiting in a batch."""
    waiting = db.select(BatchLine.tranche_id).where(BatchLine.result == LineResult.PENDING)
    return list(db.session.scalars(
        db.select(Tranche).where(Tranche.status == TrancheStatus.ORDERED,
                                 Tranche.channel == operator, Tranche.id.not_in(waiting))
        .order_by(Tranche.order_number)))


def create_batch(actor: User, operator: Channel, tranche_ids: list[int]) -> PaymentBatch:
    _allow(actor, Permission.GRANT_MANAGE)
    if not operator.is_wallet:
        raise ValidationError(_l("Batches are for mobile-money operators."), "operator")
    available = {t.id: t for t in batchable(operator)}
    chosen = [available.get(i) for i in tranche_ids or []]
    if not chosen or None in chosen:
        raise ValidationError(_l("Choose ordered tranches of this operator that are not in "
                                 "another batch."), "tranches")
    batch = PaymentBatch(reference=next_reference("LP", utcnow().year), operator=operator,
                         created_by_id=actor.id)
    for tranche in chosen:
        application = db.session.get(Application, tranche.grant.application_id)
        batch.lines.append(BatchLine(tranche_id=tranche.id, msisdn=tranche.grant.account,
                                     name=application.lead.full_name, amount=tranche.amount,
                                     reference=tranche.order_number))
    db.session.add(batch)
    db.session.flush()
    audit.record("batch.created", actor, batch, details={"lines": len(chosen),
                                                         "operator": operator.value})
    return batch


def bulk_file(batch: PaymentBatch) -> Iterator[str]:
    """The operator's bulk file: MSISDN; name; amount; reference (CSV for French Excel)."""
    return csv_rows(BULK_HEADER, ([line.msisdn, line.name, line.amount, line.reference]
                                  for line in batch.lines))


def approve(actor: User, batch: PaymentBatch) -> None:
    _allow(actor, Permission.PAYMENT_EXECUTE)
    if actor.id == batch.created_by_id:
        raise ForbiddenError(_l("The officer who prepared a batch cannot approve it."))
    if batch.status != BatchStatus.PREPARED:
        raise ConflictError(_l("This batch is already approved."))
    batch.status, batch.approved_by_id, batch.approved_at = (
        BatchStatus.APPROVED, actor.id, utcnow())
    db.session.flush()
    audit.record("batch.approved", actor, batch)


@dataclass
class ResultRow:
    number: int
    reference: str
    success: bool
    operator_reference: str


def parse_results(text: str) -> tuple[list[ResultRow], list[str]]:
    """The operator's result file: reference; status (OK/SUCCESS or anything else = failed);
    transaction id. Returns the rows and, for each unreadable row, why."""
    rows, errors = [], []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    try:
        for number, fields in enumerate(reader, start=1):
            if not fields or (number == 1 and fields[0].strip().lower() in ("reference",
                                                                              "référence")):
                continue
            if len(fields) < 2 or not fields[0].strip():
                errors.append(str(_l("Line %(n)d: expected reference; status; transaction.",
                                     n=number)))
                continue
            status = fields[1].strip().upper()
            rows.append(ResultRow(number, fields[0].strip(),
                                  status in ("OK", "SUCCESS", "SUCCES"),
                                  fields[2].strip() if len(fields) > 2 else ""))
    except csv.Error:  # a field over the csv module's limit (128 KB), a NUL byte…
        errors.append(str(_l("Line %(n)d and after cannot be read: a field is too long or the "
                             "file is not a CSV file.", n=reader.line_num)))
    return rows, errors


def line_for(batch: PaymentBatch, reference: str) -> BatchLine | None:
    return next((line for line in batch.lines if line.reference == reference), None)


def apply_result(actor: User, batch_id: int, line_id: int, success: bool,
                 operator_reference: str) -> BatchLine:
    """One line of the result file. Only successful lines are posted, through pay_tranche."""
    _allow(actor, Permission.PAYMENT_EXECUTE)
    batch = db.session.get(PaymentBatch, batch_id)
    if batch.status == BatchStatus.PREPARED:
        raise ConflictError(_l("Approve the batch before importing its results."))
    line = db.session.get(BatchLine, line_id)
    if line.result != LineResult.PENDING:
        return line  # the same file imported again: nothing more
    if success:
        payment = payments.pay_tranche(actor, line.tranche_id, f"batch-line-{line.id}",
                                       operator_reference or line.reference)
        line = db.session.get(BatchLine, line_id)  # the money transaction reloaded the session
        line.result, line.payment_id = LineResult.PAID, payment.id
    else:
        line.result = LineResult.FAILED
    line.operator_reference = operator_reference or None
    batch = db.session.get(PaymentBatch, batch_id)
    if all(other.result != LineResult.PENDING for other in batch.lines):
        batch.status = BatchStatus.COMPLETED
    db.session.flush()
    audit.record("batch.line", actor, batch, details={"line": line.id,
                                                      "result": line.result.value})
    return line
