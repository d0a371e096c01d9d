"""The main menu: each entry shows only to users who hold its permission. Entries of one group
(`MenuItem.group`) share a dropdown so that the widest menu (a programme manager's) holds on one
line of a 1366 px screen; a group of which the user sees a single entry shows as a plain link."""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from grants.i18n import locale_code
from grants.permissions import Permission, can

INTAKE = _l("Intake")
PROGRAMME = _l("Programme")
MESSAGES = _l("Messages")
ADMINISTRATION = _l("Administration")


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: object  # a lazy translation
    permission: Permission
    group: object | None = None  # the dropdown's lazy label; None: an entry of its own


@dataclass
class MenuEntry:
    """What the menu draws: one link, or a dropdown of `items` under `label`."""
    label: object
    items: list[MenuItem] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return len(self.items) > 1

    @property
    def endpoint(self) -> str:  # a dropdown's own link (without JavaScript) is its first page
        return self.items[0].endpoint

    @property
    def active(self) -> bool:
        return request.endpoint in {item.endpoint for item in self.items}


MENU = (
    MenuItem("applications.index", _l("Applications"), Permission.APPLICATION_VIEW, INTAKE),
    MenuItem("beneficiaries.index", _l("Returnees"), Permission.BENEFICIARY_VIEW, INTAKE),
    MenuItem("committees.index", _l("Committees"), Permission.COMMITTEE_VIEW),
    MenuItem("finance.index", _l("Finance"), Permission.FINANCE_VIEW),
    MenuItem("visits.worklist", _l("Follow-up"), Permission.VISIT_VIEW),
    MenuItem("programme.call_list", _l("Calls"), Permission.PROGRAMME_VIEW, PROGRAMME),
    MenuItem("programme.envelopes", _l("Envelopes"), Permission.PROGRAMME_VIEW, PROGRAMME),
    MenuItem("reports.indicators", _l("Indicators"), Permission.REPORT_VIEW, PROGRAMME),
    MenuItem("messages.outbox_list", _l("SMS sent"), Permission.MESSAGES_VIEW, MESSAGES),
    MenuItem("messages.call_list", _l("Calls to make"), Permission.MESSAGES_CALL, MESSAGES),
    MenuItem("admin.users", _l("Users"), Permission.USERS_MANAGE, ADMINISTRATION),
    MenuItem("admin.audit_log", _l("Audit log"), Permission.AUDIT_VIEW, ADMINISTRATION),
    # The regions are the programme's reference data: with its set-up for those who manage it.
    MenuItem("admin.regions", _l("Regions"), Permission.REFERENCE_VIEW, PROGRAMME),
)


def menu_for(user) -> list[MenuEntry]:
    """The user's entries in MENU's order, those of a group gathered at the group's first place."""
    entries: list[MenuEntry] = []
    groups: dict[int, MenuEntry] = {}  # by the group label's identity
    for item in MENU:
        if not can(user, item.permission):
            continue
        if item.group is None:
            entries.append(MenuEntry(item.label, [item]))
        elif id(item.group) in groups:
            groups[id(item.group)].items.append(item)
        else:
            groups[id(item.group)] = MenuEntry(item.group, [item])
            entries.append(groups[id(item.group)])
    for entry in entries:  # a group reduced to one entry is that entry's own link
        if len(entry.items) == 1:
            entry.label = entry.items[0].label
    return entries


_MENUS_KEPT = 1024


def main_menu() -> Markup:
    """The logged-in user's menu, drawn once per set of roles, language and page in each process
    (it depends on nothing else: the permissions come with the roles). Drawing it on every page
    cost a tenth of a list page."""
    key = (frozenset(current_user.roles), locale_code(), request.endpoint, request.script_root)
    menus = current_app.extensions.setdefault("grants_menus", {})
    if key not in menus:
        if len(menus) >= _MENUS_KEPT:
            menus.clear()
        menus[key] = Markup(render_template(  # noqa: S704 (autoescaped)
            "_main_menu.html", menu=menu_for(current_user), endpoint=request.endpoint))
    return menus[key]


_ID_MARK = 918273645546372819  # an id in no real address: where a row's id goes


def row_url(endpoint: str, argument: str) -> Callable[[int], str]:
    """url_for(endpoint, argument=id) for each row of a list: the address is built once and each
    row's id put in its place ({% set link = row_url("x.detail", "x_id") %} … {{ link(row.id) }}).
    url_for costs some 15 µs, and a list page called it for every row."""
    head, tail = url_for(endpoint, **{argument: _ID_MARK}).split(str(_ID_MARK))
    return lambda value: f"{head}{int(value)}{tail}"


def url_with(**changes) -> str:
    """The current page's address with its filters, some of them changed: url_with(page=2)."""
    args = {**(request.view_args or {}), **request.args.to_dict(), **changes}
    return url_for(request.endpoint, **args)
