"""The labels of a person's file (grants/services/privacy/person_file.py) in the French PDF:
the JSON keeps the field names, the PDF says them in words."""

import json
from typing import Any

from flask_babel import lazy_gettext as _l

from grants import vocabulary as v
from grants.formatting import phone

SECTIONS = {
    "identity": _l("Identity and profile"), "account": _l("Applicant account"),
    "consents": _l("Consents"), "confidential": _l("Confidential data"),
    "documents": _l("Documents"), "dossiers": _l("Dossiers"), "referrals": _l("Referrals"),
    "messages": _l("Messages sent"), "confidential_readings": _l("Readings of the confidential data"),
    "history": _l("History"), "versions": _l("Versions"), "agreement": _l("Agreement"),
    "payments": _l("Payments"), "visits": _l("Visits"), "photos": _l("Photos"),
    "score": _l("Sustainability scores"), "past_dossiers": _l("Past dossiers"),
}

FIELDS = {
    "code": _l("Code"), "first_name": _l("First name(s)"), "last_name": _l("Last name"),
    "sex": _l("Sex"), "birth_date": _l("Date of birth"),
    "birth_date_estimated": _l("The date of birth is an estimate"),
    "id_type": _l("Identity document"), "id_number": _l("Document number"),
    "phone": _l("Phone"), "region_id": _l("Region (number)"), "region": _l("Region"),
    "cercle": _l("Cercle"), "commune": _l("Commune"), "address": _l("Address"),
    "category": _l("Category"), "return_country": _l("Country of return"),
    "return_date": _l("Date of return"), "return_mode": _l("Mode of return"),
    "iom_case_number": _l("IOM case number"), "education": _l("Education"),
    "skills": _l("Skills"), "skills_abroad": _l("Skills acquired abroad"),
    "household_size": _l("Household size"), "verification_status": _l("Verification"),
    "verification_note": _l("Verification comment"), "created_at": _l("Recorded on"),
    "username": _l("Username"), "active": _l("Active"), "last_login_at": _l("Last login"),
    "given_on": _l("Date of consent"), "notice_version": _l("Notice version"),
    "scopes": _l("Scopes"), "recorded_at": _l("Recorded on"), "withdrawn_at": _l("Withdrawn on"),
    "withdrawal_reason": _l("Reason for the withdrawal"),
    "vulnerabilities": _l("Vulnerabilities"), "health_notes": _l("Health notes"),
    "updated_at": _l("Last change"), "id": _l("Number"), "display_name": _l("File"),
    "content_type": _l("Type"), "size": _l("Size (bytes)"), "uploaded_at": _l("Uploaded on"),
    "kind": _l("Kind"), "reference": _l("Reference"), "status": _l("Status"),
    "project_type": _l("Project type"), "title": _l("Title"), "sector": _l("Sector"),
    "activity": _l("Activity"), "product_service": _l("Product or service"),
    "customers_market": _l("Customers and market"), "competition": _l("Competition"),
    "suppliers": _l("Suppliers"), "monthly_revenue": _l("Monthly revenue (F CFA)"),
    "monthly_costs": _l("Monthly costs (F CFA)"), "training_needs": _l("Training needs"),
    "budget_total": _l("Budget total (F CFA)"), "own_contribution": _l("Own contribution (F CFA)"),
    "own_contribution_details": _l("Own contribution details"),
    "requested_amount": _l("Amount requested (F CFA)"), "submitted_at": _l("Submitted on"),
    "role": _l("Role"), "share_percent": _l("Share (%)"), "at": _l("Date"),
    "action": _l("Action"), "from_status": _l("From"), "to_status": _l("To"),
    "comment": _l("Comment"), "number": _l("Number"), "reason": _l("Reason"),
    "snapshot": _l("Content"), "amount": _l("Amount (F CFA)"), "disbursed": _l("Paid (F CFA)"),
    "channel": _l("Channel"), "account": _l("Account"), "signed_on": _l("Signed on"),
    "paid_on": _l("Paid on"), "due_on": _l("Due on"), "visited_on": _l("Visited on"),
    "mode": _l("Mode"), "activity_status": _l("Activity status"),
    "monthly_profit": _l("Monthly profit (F CFA)"), "jobs_total": _l("Jobs"),
    "observations": _l("Observations"), "recommendation": _l("Recommendation"),
    "survey": _l("Questionnaire answers"), "review_comment": _l("Supervisor's comment"),
    "economic": _l("Economic"), "social": _l("Social"), "psychosocial": _l("Psychosocial"),
    "composite": _l("Composite"), "computed_at": _l("Computed on"), "service": _l("Service"),
    "outcome_note": _l("Outcome"), "partner": _l("Partner"), "object": _l("Object"),
    "by": _l("By"), "event": _l("Event"), "language": _l("Language"), "text": _l("Text"),
    "state": _l("State"), "sent_at": _l("Sent on"), "delivered_at": _l("Delivered on"),
    "cancelled_at": _l("Cancelled on"), "programme": _l("Call or programme"),
    "year": _l("Year"), "funded_on": _l("Funded on"), "import_batch_id": _l("Import"),
}


# Fields whose codes have a label to show (the JSON keeps the codes).
CODED = {"sex": v.Sex, "id_type": v.IdType, "category": v.BeneficiaryCategory,
         "return_mode": v.ReturnMode, "education": v.Education,
         "verification_status": v.VerificationStatus, "vulnerabilities": v.Vulnerability,
         "scopes": v.ConsentScope, "kind": v.DocumentKind, "project_type": v.ProjectType,
         "sector": v.Sector, "mode": v.VisitMode, "activity_status": v.ActivityStatus,
         "recommendation": v.Recommendation, "service": v.ReferralService}


def label(key: str) -> str:
    return str(FIELDS.get(key) or SECTIONS.get(key) or key)


def shown(value: Any, key: str | None = None) -> str:
    """A value of the file as text in the PDF (a code of a known list by its label)."""
    coded = CODED.get(key or "")
    if coded is not None and isinstance(value, str) and value in coded._value2member_map_:
        return coded(value).label
    if coded is not None and isinstance(value, list):
        return ", ".join(shown(item, key) for item in value) or "—"
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    if key == "phone" and isinstance(value, str):
        return phone(value)
    if isinstance(value, list):
        return ", ".join(shown(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
