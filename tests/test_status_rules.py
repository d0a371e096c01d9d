"""Status rules have names (predicates on the enums and models) and live outside the templates;
badges take their colour from the one table in grants/badges.py."""

import itertools
import re
import uuid
from datetime import date
from pathlib import Path

import pytest
from flask import render_template_string
from markupsafe import escape

import grants
from grants.badges import COLOURS, colour
from grants.extensions import db
from grants.models import (
    BatchStatus,
    Channel,
    Decision,
    Grant,
    GrantStatus,
    JobStatus,
    LineResult,
    Payment,
    PaymentKind,
    Role,
    Seat,
    SessionStatus,
    SheetStatus,
    Tranche,
    TrancheCondition,
    TrancheStatus,
    User,
    Visit,
)
from grants.services.money import agreements
from grants.vocabulary import CallStatus, ProjectType, Recommendation
from grants.workflow import (
    TRANSITIONS,
    VISIT_TRANSITIONS,
    ApplicationAction,
    ApplicationStatus,
    VisitAction,
    VisitStatus,
)
from tests import factories
from tests.conftest import committed, login

TEMPLATES = Path(grants.__file__).parent / "templates"
S, V = ApplicationStatus, VisitStatus

# --- no rule spelled in a template -------------------------------------------------------------

FORBIDDEN = [
    (re.compile(r"\.value\s*(==|!=|in\b|not\s+in\b)"), "compares a code"),
    (re.compile(r"""["'][\w.]*\.value["']\s*,\s*["']equalto"""), "filters on a code"),
    (re.compile(r"""status\s*(==|!=)\s*["']"""), "compares a status with a string"),
    (re.compile(r"""status\s+(not\s+)?in\s*[(\[]"""), "looks a status up in a list"),
    (re.compile(r"""\}\s*(\[|\.get\()[^\]\)]*(\.value|status)\b"""), "colours a status inline"),
]
# A dict literal that maps codes to Bootstrap colours: a colour table of its own.
COLOUR_MAP = re.compile(r"""\{\s*["']\w+["']\s*:\s*["'](table-)?(primary|secondary|success|"""
                        r"""danger|warning|info|light|dark)["']""")
# Colours of values that are not statuses of the domain: a committee member's progress on a
# dossier ("to declare", "to score"…) and the rows of a Kobo/ODK import (plain strings).
COLOUR_MAP_ALLOWED = {"committees/session.html", "visits/field_tools.html"}


def _templates():
    return sorted(TEMPLATES.rglob("*.html"))


def test_no_template_compares_a_status_or_keeps_a_colour_map():
    found = []
    for path in _templates():
        name = path.relative_to(TEMPLATES).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [f"{name}:{number} {why}: {line.strip()}"
                      for pattern, why in FORBIDDEN if pattern.search(line)]
            if COLOUR_MAP.search(line) and name not in COLOUR_MAP_ALLOWED:
                found.append(f"{name}:{number} has its own colour map: {line.strip()}")
    assert not found, "\n".join(found)


def test_the_scan_reads_the_templates_and_the_allowed_maps_exist():
    assert len(_templates()) > 50  # a wrong folder would pass the scan above silently
    for name in COLOUR_MAP_ALLOWED:
        assert COLOUR_MAP.search((TEMPLATES / name).read_text(encoding="utf-8")), name


# --- the predicates, against the workflow ------------------------------------------------------

def _where(enum, predicate: str) -> set:
    return {member for member in enum if getattr(member, predicate)}


def test_dossier_predicates_follow_the_transition_table():
    assert _where(S, "is_editable") == {s for s in S if (s, ApplicationAction.SUBMIT) in TRANSITIONS}
    assert _where(S, "awaits_screening") == {
        s for s in S if (s, ApplicationAction.DECLARE_ELIGIBLE) in TRANSITIONS}
    assert _where(S, "is_revisable") == {S.SUBMITTED, S.ELIGIBLE}  # until the committee
    assert not _where(S, "is_editable") & _where(S, "is_revisable")


def test_visit_predicates_follow_the_visit_transitions():
    def allowed(action):
        return {v for v in V if (v, action) in VISIT_TRANSITIONS}

    assert _where(V, "is_planned") == allowed(VisitAction.SUBMIT)
    assert _where(V, "awaits_validation") == allowed(VisitAction.VALIDATE)
    assert _where(V, "is_open") == allowed(VisitAction.CANCEL)
    assert _where(V, "is_reported") == {V.SUBMITTED, V.VALIDATED}
    assert _where(V, "is_validated") == {V.VALIDATED}


@pytest.mark.parametrize(("enum", "predicate", "members"), [
    (GrantStatus, "is_draft", {GrantStatus.DRAFT}),
    (GrantStatus, "is_signed", {GrantStatus.SIGNED}),
    (TrancheStatus, "is_due", {TrancheStatus.ELIGIBLE}),
    (TrancheStatus, "is_ordered", {TrancheStatus.ORDERED}),
    (TrancheStatus, "is_paid", {TrancheStatus.PAID}),
    (BatchStatus, "awaits_approval", {BatchStatus.PREPARED}),
    (BatchStatus, "awaits_results", {BatchStatus.APPROVED}),
    (LineResult, "is_pending", {LineResult.PENDING}),
    (SessionStatus, "is_scoring", {SessionStatus.SCORING}),
    (SessionStatus, "is_finalised", {SessionStatus.FINALISED}),
    (SheetStatus, "is_draft", {SheetStatus.DRAFT}),
    (Seat, "is_voting", {Seat.VOTING}),
    (Decision, "is_selected", {Decision.SELECTED}),
    (Decision, "is_rejected", {Decision.REJECTED}),
    (CallStatus, "is_draft", {CallStatus.DRAFT}),
    (CallStatus, "is_closed", {CallStatus.CLOSED}),
    (ProjectType, "has_members", {ProjectType.COLLECTIVE, ProjectType.COMMUNITY}),
    (ProjectType, "has_shares", {ProjectType.COLLECTIVE}),
    (ProjectType, "names_a_community", {ProjectType.COMMUNITY}),
    (JobStatus, "is_waiting", {JobStatus.QUEUED}),
    (JobStatus, "is_finished", {JobStatus.DONE, JobStatus.FAILED}),
    (JobStatus, "is_done", {JobStatus.DONE}),
    (JobStatus, "is_failed", {JobStatus.FAILED}),
])
def test_status_predicates(enum, predicate, members):
    assert _where(enum, predicate) == members


def test_only_a_planned_visit_gated_tranche_waits_for_a_visit():
    waiting = {(c, s) for c, s in itertools.product(TrancheCondition, TrancheStatus)
               if Tranche(condition=c, status=s).waits_for_visit}
    assert waiting == {(TrancheCondition.FAVOURABLE_VISIT, TrancheStatus.PLANNED)}


def test_only_a_payment_of_a_paid_tranche_is_reversible():
    reversible = {(k, s) for k, s in itertools.product(PaymentKind, TrancheStatus)
                  if Payment(kind=k, tranche=Tranche(status=s)).is_reversible}
    assert reversible == {(PaymentKind.PAYMENT, TrancheStatus.PAID)}


def test_a_visit_decides_against_its_tranche_once_validated_unfavourable():
    against = {(s, r) for s, r in itertools.product(V, [None, *Recommendation])
               if Visit(status=s, recommendation=r).decided_against}
    assert against == {(V.VALIDATED, Recommendation.UNFAVOURABLE)}


def test_an_agreement_has_a_follow_up_once_signed():
    assert {s for s in GrantStatus if Grant(status=s).has_follow_up} == {
        GrantStatus.SIGNED, GrantStatus.CANCELLED}  # cancelled after signing: history stays


# --- one follow-up rule for the dossier page and the follow-up page ----------------------------

def _selected_with_agreement(app, make_user, *, signed: bool) -> int:
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager")
    officer_id = make_user(Role.FINANCE_OFFICER, username="officer")
    with committed(app):
        manager, officer = db.session.get(User, manager_id), db.session.get(User, officer_id)
        dossier = factories.eligible_dossier(manager, factories.open_call(manager),
                                             factories.person(manager))
        dossier.status = ApplicationStatus.SELECTED  # the committee's decision
        db.session.commit()
        grant = agreements.prepare_agreement(officer, dossier, amount=dossier.requested_amount,
                                             channel=Channel.BANK, account="ML123 BDM 0001")
        db.session.commit()
        if signed:
            agreements.sign_agreement(officer, grant.id, date.today(), str(uuid.uuid4()))
        return dossier.id


@pytest.mark.parametrize("signed", [False, True])
def test_the_dossier_links_to_its_follow_up_page_exactly_when_it_has_one(app, make_user, signed):
    application_id = _selected_with_agreement(app, make_user, signed=signed)
    client = app.test_client()
    login(client, "manager")
    page = client.get(f"/dossiers/{application_id}").get_data(as_text=True)
    follow_up = client.get(f"/suivi/dossiers/{application_id}")
    assert (f"/suivi/dossiers/{application_id}\"" in page) is signed
    assert follow_up.status_code == (200 if signed else 404)
    # the dossier's badge keeps its colour: selected, then agreement signed, are green
    assert re.search(r'class="badge text-bg-success">[^<]+</span>', page)


# --- one colour table -------------------------------------------------------------------------

# The colours the pages showed before the table (the inline maps it replaced).
FORMER_COLOURS = {
    GrantStatus: {"draft": "secondary", "signed": "success", "cancelled": "dark"},
    TrancheStatus: {"planned": "secondary", "eligible": "primary", "ordered": "warning",
                    "paid": "success", "cancelled": "dark"},
    CallStatus: {"draft": "secondary", "open": "success", "closed": "dark"},
    VisitStatus: {"planned": "secondary", "submitted": "warning", "validated": "success",
                  "cancelled": "dark"},
    Recommendation: {"favourable": "success", "reservations": "info", "unfavourable": "danger"},
    SessionStatus: {"scoring": "primary", "finalised": "success"},
    SheetStatus: {"draft": "warning", "submitted": "success"},
    BatchStatus: {"prepared": "secondary", "approved": "secondary", "completed": "secondary"},
    ApplicationStatus: {
        "draft": "secondary", "submitted": "primary", "eligible": "success",
        "ineligible": "danger", "incomplete": "warning", "under_review": "info",
        "selected": "success", "waitlisted": "warning", "rejected": "danger",
        "agreement_signed": "success", "in_disbursement": "success", "in_follow_up": "success",
        "closed": "dark", "withdrawn": "dark", "cancelled": "dark"},
}


def test_every_status_of_a_coloured_enum_has_its_colour():
    for enum, colours in COLOURS.items():
        assert set(colours) == set(enum), enum.__name__
        assert all(type(member) is enum for member in colours), enum.__name__


@pytest.mark.parametrize("enum", list(FORMER_COLOURS), ids=lambda e: e.__name__)
def test_badges_keep_the_colours_the_pages_had(enum):
    assert {member.value: colour(member) for member in enum} == FORMER_COLOURS[enum]


def test_the_badge_macro_shows_the_label_in_the_colour_of_the_table(app):
    template = '{% from "_badges.html" import badge %}{{ badge(status, "fs-6") }}'
    with app.test_request_context():
        for colours in COLOURS.values():
            for member, expected in colours.items():
                assert render_template_string(template, status=member) == (
                    f'<span class="badge fs-6 text-bg-{expected}">{escape(member.label)}</span>')
