"""The main menu: each entry shows only to users who hold its permission."""

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import lazy_gettext as _l

from grants.permissions import Permission, can


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: object  # a lazy translation
    permission: Permission


MENU = (
    MenuItem("applications.index", _l("Applications"), Permission.APPLICATION_VIEW),
    MenuItem("beneficiaries.index", _l("Returnees"), Permission.BENEFICIARY_VIEW),
    MenuItem("committees.index", _l("Committees"), Permission.COMMITTEE_VIEW),
    MenuItem("finance.index", _l("Finance"), Permission.FINANCE_VIEW),
    MenuItem("visits.worklist", _l("Follow-up"), Permission.VISIT_VIEW),
    MenuItem("reports.indicators", _l("Indicators"), Permission.REPORT_VIEW),
    MenuItem("programme.call_list", _l("Calls"), Permission.PROGRAMME_VIEW),
    MenuItem("programme.envelopes", _l("Envelopes"), Permission.PROGRAMME_VIEW),
    MenuItem("messages.outbox_list", _l("SMS sent"), Permission.MESSAGES_VIEW),
    MenuItem("messages.call_list", _l("Calls to make"), Permission.MESSAGES_CALL),
    MenuItem("admin.users", _l("Users"), Permission.USERS_MANAGE),
    MenuItem("admin.audit_log", _l("Audit log"), Permission.AUDIT_VIEW),
    MenuItem("admin.regions", _l("Regions"), Permission.REFERENCE_VIEW),
)


def menu_for(user) -> list[MenuItem]:
    return [item for item in MENU if can(user, item.permission)]


def url_with(**changes) -> str:
    """The current page's address with its filters, some of them changed: url_with(page=2)."""
    args = {**(request.view_args or {}), **request.args.to_dict(), **changes}
    return url_for(request.endpoint, **args)
