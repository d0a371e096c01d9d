"""Every POST route of the app with a scenario that brings it to its form: who posts, to which
address, and where its form is shown. Used by the garbage-input and form-error tests; a POST
route missing here fails them."""

from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask import url_for

from grants.extensions import db
from tests.conftest import login
from tests.scenario import Scenario


@dataclass
class Target:
    actor: str | None  # a scenario user name; None: an anonymous visitor
    url: str
    page: str | None = None  # where the form is shown (default: the route's own page)
    fields: dict = field(default_factory=dict)  # for a route whose form no page shows


def _f(endpoint: str, **values) -> str:
    return url_for(endpoint, **values)


def _agreement(grant_id: int) -> str:
    return _f("finance.agreement", grant_id=grant_id)


def _application_detail(s: Scenario, application_id: int) -> str:
    return _f("applications.detail", application_id=application_id)


def _members(s: Scenario) -> str:
    return _f("applications.members", application_id=s.collective[0])


def _visit(visit_id: int) -> str:
    return _f("visits.visit", visit_id=visit_id)


def _ranking(session_id: int) -> str:
    return _f("committees.ranking", session_id=session_id)


def _edit_section(section: str) -> Callable[[Scenario], Target]:
    return lambda s: Target("manager", _f("applications.edit", application_id=s.draft,
                                          section=section))


def _order(s: Scenario) -> Target:
    grant_id = s.signed()
    return Target("officer", _f("finance.order", grant_id=grant_id,
                                tranche_id=s.grant(grant_id).tranches[0].id), _agreement(grant_id))


def _pay(s: Scenario) -> Target:
    grant_id, tranche_id = s.ordered()
    return Target("accountant", _f("finance.pay", grant_id=grant_id, tranche_id=tranche_id),
                  _agreement(grant_id))


def _new_batch(s: Scenario) -> Target:
    s.wallet_tranche()
    return Target("officer", _f("finance.new_batch"), _f("finance.batch_list"))


# Key: "endpoint rule" (a rule with a choice in its address: one key per choice).
ROUTES: dict[str, Callable[[Scenario], Target]] = {
    "admin.edit_user /admin/utilisateurs/<int:user_id>": lambda s: Target(
        "admin", _f("admin.edit_user", user_id=s.user_id("target"))),
    "admin.new_user /admin/utilisateurs/nouveau": lambda s: Target(
        "admin", _f("admin.new_user")),
    "admin.reset_password /admin/utilisateurs/<int:user_id>/mot-de-passe": lambda s: Target(
        "admin", _f("admin.reset_password", user_id=s.user_id("target")),
        _f("admin.edit_user", user_id=s.user_id("target"))),
    "admin.toggle_active /admin/utilisateurs/<int:user_id>/activation": lambda s: Target(
        "admin", _f("admin.toggle_active", user_id=s.user_id("target")),
        _f("admin.edit_user", user_id=s.user_id("target"))),
    "applications.members /dossiers/<int:application_id>/membres": lambda s: Target(
        "manager", _members(s)),
    "applications.add_member /dossiers/<int:application_id>/membres/ajouter": lambda s: Target(
        "manager", _f("applications.add_member", application_id=s.collective[0]), _members(s),
        fields={"beneficiary_id": str(s.person()), "q": ""}),
    **{f"applications.edit /dossiers/<int:application_id>/<any(projet, plan, budget):section>"
       f"[{section}]": _edit_section(section) for section in ("projet", "plan", "budget")},
    "applications.new /dossiers/nouveau/<int:beneficiary_id>": lambda s: (s.call, Target(
        "manager", _f("applications.new", beneficiary_id=s.beneficiary)))[1],
    "applications.remove_member /dossiers/<int:application_id>/membres/<int:member_id>/retirer":
        lambda s: Target("manager", _f("applications.remove_member",
                                       application_id=s.collective[0], member_id=s.collective[1]),
                         _members(s)),
    "applications.screen /dossiers/<int:application_id>/recevabilite": lambda s: Target(
        "manager", _f("applications.screen", application_id=s.submitted)),
    "applications.submit /dossiers/<int:application_id>/soumettre": lambda s: Target(
        "manager", _f("applications.submit", application_id=s.draft),
        _application_detail(s, s.draft)),
    "applications.upload /dossiers/<int:application_id>/pieces": lambda s: Target(
        "manager", _f("applications.upload", application_id=s.draft),
        _application_detail(s, s.draft)),
    "applications.withdraw /dossiers/<int:application_id>/retirer": lambda s: Target(
        "manager", _f("applications.withdraw", application_id=s.draft),
        _application_detail(s, s.draft)),
    "auth.change_password /mot-de-passe": lambda s: Target("target", _f("auth.change_password")),
    "auth.login /connexion": lambda s: Target(None, _f("auth.login")),
    "auth.logout /deconnexion": lambda s: Target("target", _f("auth.logout"), "/"),
    "auth.set_language /langue": lambda s: Target("target", _f("auth.set_language"), "/"),
    **{f"beneficiaries.{name} /beneficiaires/<int:beneficiary_id>/{path}": (
        lambda s, name=name: Target("manager", _f(f"beneficiaries.{name}",
                                                  beneficiary_id=s.beneficiary),
                                    _f("beneficiaries.detail", beneficiary_id=s.beneficiary)))
       for name, path in (("consent", "consentement"), ("verify", "verification"),
                          ("withdraw_consent", "retrait-consentement"))},
    "beneficiaries.create_account /beneficiaires/<int:beneficiary_id>/compte": lambda s: (
        lambda person: Target("manager", _f("beneficiaries.create_account", beneficiary_id=person),
                              _f("beneficiaries.detail", beneficiary_id=person)))(
        s.person(phone="+22376123456")),
    "beneficiaries.edit /beneficiaires/<int:beneficiary_id>/modifier": lambda s: Target(
        "manager", _f("beneficiaries.edit", beneficiary_id=s.beneficiary)),
    "beneficiaries.new /beneficiaires/nouveau": lambda s: Target(
        "manager", _f("beneficiaries.new")),
    "imports.index /beneficiaires/import/": lambda s: Target("manager", _f("imports.index")),
    "imports.columns /beneficiaires/import/<int:batch_id>/colonnes": lambda s: Target(
        "manager", _f("imports.columns", batch_id=s.import_batch)),
    "imports.batch /beneficiaires/import/<int:batch_id>": lambda s: Target(
        "manager", _f("imports.batch", batch_id=s.import_batch)),
    "imports.start /beneficiaires/import/<int:batch_id>/lancer": lambda s: Target(
        "manager", _f("imports.start", batch_id=s.import_batch),
        _f("imports.batch", batch_id=s.import_batch)),
    "imports.undo /beneficiaires/import/<int:batch_id>/annuler": lambda s: Target(
        "manager", _f("imports.undo", batch_id=s.imported_batch),
        _f("imports.batch", batch_id=s.imported_batch)),
    "committees.attendance /comites/<int:session_id>/presence": lambda s: Target(
        "chair", _f("committees.attendance", session_id=s.session), _ranking(s.session)),
    "committees.declare /comites/<int:session_id>/declaration": lambda s: Target(
        "observer", _f("committees.declare", session_id=s.session),
        _f("committees.session", session_id=s.session)),
    "committees.declare_dossier /comites/<int:session_id>/dossiers/<int:application_id>"
    "/declaration": lambda s: Target(
        "member", _f("committees.declare_dossier", session_id=s.session,
                     application_id=s.session_application(1)),
        _f("committees.dossier", session_id=s.session, application_id=s.session_application(1))),
    "committees.dossier /comites/<int:session_id>/dossiers/<int:application_id>": lambda s: Target(
        "member", _f("committees.dossier", session_id=s.session,
                     application_id=s.declared_dossier())),
    "committees.finalise /comites/<int:session_id>/finaliser": lambda s: Target(
        "chair", _f("committees.finalise", session_id=s.session), _ranking(s.session)),
    "committees.grid /comites/grilles/<int:call_id>": lambda s: Target(
        "manager", _f("committees.grid", call_id=s.call)),
    "committees.new /comites/nouvelle": lambda s: (s.eligible(), Target(
        "manager", _f("committees.new")))[1],
    "committees.override /comites/<int:session_id>/dossiers-examines/<int:dossier_id>/decision":
        lambda s: Target("chair", _f("committees.override", session_id=s.session,
                                     dossier_id=s.session_dossier()), _ranking(s.session)),
    "committees.promote /comites/<int:session_id>/liste-attente": lambda s: Target(
        "chair", _f("committees.promote", session_id=s.finalised_session),
        _ranking(s.finalised_session)),
    "committees.regenerate_minutes /comites/<int:session_id>/pv": lambda s: Target(
        "chair", _f("committees.regenerate_minutes", session_id=s.finalised_session),
        _ranking(s.finalised_session)),
    "committees.reopen /comites/<int:session_id>/fiches/<int:sheet_id>/rouvrir": lambda s: Target(
        "chair", _f("committees.reopen", session_id=s.session, sheet_id=s.sheet()),
        fields={"reason": "Erreur de saisie"}),
    "committees.set_amount /comites/<int:session_id>/dossiers-examines/<int:dossier_id>/montant":
        lambda s: Target("chair", _f("committees.set_amount", session_id=s.session,
                                     dossier_id=s.session_dossier()), _ranking(s.session)),
    "finance.approve_batch /finances/lots/<int:batch_id>/approuver": lambda s: Target(
        "accountant", _f("finance.approve_batch", batch_id=s.batch),
        _f("finance.batch", batch_id=s.batch)),
    "finance.cancel /finances/conventions/<int:grant_id>/annuler": lambda s: (
        lambda grant_id: Target("manager", _f("finance.cancel", grant_id=grant_id),
                                _agreement(grant_id)))(s.signed()),
    "finance.remove_line /finances/lots/<int:batch_id>/lignes/<int:line_id>/retirer":
        lambda s: Target("officer", _f("finance.remove_line", batch_id=s.batch,
                                       line_id=s.batch_line), _f("finance.batch", batch_id=s.batch)),
    "finance.import_results /finances/lots/<int:batch_id>/resultats": lambda s: Target(
        "accountant", _f("finance.import_results", batch_id=s.approved_batch),
        _f("finance.batch", batch_id=s.approved_batch)),
    "finance.new_agreement /finances/conventions/nouvelle/<int:application_id>": lambda s: Target(
        "officer", _f("finance.new_agreement", application_id=s.selected())),
    "finance.new_batch /finances/lots/nouveau": _new_batch,
    "finance.order /finances/conventions/<int:grant_id>/tranches/<int:tranche_id>/ordonnancer":
        _order,
    "finance.pay /finances/conventions/<int:grant_id>/tranches/<int:tranche_id>/payer": _pay,
    "finance.reverse /finances/conventions/<int:grant_id>/paiements/<int:payment_id>"
    "/contre-passer": lambda s: Target(
        "accountant", _f("finance.reverse", grant_id=s.paid[0], payment_id=s.paid[1]),
        _agreement(s.paid[0])),
    "finance.sign /finances/conventions/<int:grant_id>/signer": lambda s: (
        lambda grant_id: Target("officer", _f("finance.sign", grant_id=grant_id),
                                _agreement(grant_id)))(s.agreement()),
    "finance.upload_signed_copy /finances/conventions/<int:grant_id>/exemplaire-signe": lambda s: (
        lambda grant_id: Target("officer", _f("finance.upload_signed_copy", grant_id=grant_id),
                                _agreement(grant_id)))(s.signed()),
    "privacy.erase /protection-donnees/personnes/<int:beneficiary_id>/effacer": lambda s: Target(
        "dpo", _f("privacy.erase", beneficiary_id=s.beneficiary),
        _f("privacy.person", beneficiary_id=s.beneficiary)),
    "programme.advance_call /programme/appels/<int:call_id>/statut": lambda s: Target(
        "manager", _f("programme.advance_call", call_id=s.call),
        _f("programme.call_detail", call_id=s.call)),
    "programme.close_envelope /programme/enveloppes/<int:envelope_id>/cloturer": lambda s: Target(
        "manager", _f("programme.close_envelope", envelope_id=s._call().envelope_id)),
    "programme.edit_call /programme/appels/<int:call_id>/modifier": lambda s: Target(
        "manager", _f("programme.edit_call", call_id=s.call)),
    "programme.edit_call /programme/appels/nouveau": lambda s: (s.call, Target(
        "manager", _f("programme.edit_call")))[1],
    "programme.edit_envelope /programme/enveloppes/<int:envelope_id>": lambda s: Target(
        "manager", _f("programme.edit_envelope", envelope_id=s._call().envelope_id)),
    "programme.edit_envelope /programme/enveloppes/nouvelle": lambda s: Target(
        "manager", _f("programme.edit_envelope")),
    "visits.cancel /suivi/visites/<int:visit_id>/annuler": lambda s: Target(
        "manager", _f("visits.cancel", visit_id=s.planned_visit), _visit(s.planned_visit)),
    "messages.contact_preference /messages/preference/<int:beneficiary_id>": lambda s: Target(
        "manager", _f("messages.contact_preference", beneficiary_id=s.beneficiary),
        _f("beneficiaries.detail", beneficiary_id=s.beneficiary)),
    # The operator's machine posts JSON, with the secret of tests/conftest.py in the address.
    "messages.delivery_receipt /messages/accuses-reception/<secret>": lambda s: Target(
        None, _f("messages.delivery_receipt", secret="test-receipt-secret"),
        fields={"deliveryInfoNotification": "x"}),
    "reminders.preferences /rappels/preferences": lambda s: Target(
        "manager", _f("reminders.preferences")),
    "messages.edit_template /messages/modeles/<event>/<language>": lambda s: Target(
        "admin", _f("messages.edit_template", event="selected", language="fr")),
    "messages.mark_called /messages/<int:message_id>/appele": lambda s: Target(
        "intake", _f("messages.mark_called", message_id=s.call_message),
        _f("messages.call_list")),
    "visits.field_tools_page /suivi/terrain": lambda s: (s.planned_visit, Target(
        "field", _f("visits.field_tools_page")))[1],
    "visits.load /suivi/charge": lambda s: (s.planned_visit, Target(
        "manager", _f("visits.load")))[1],
    "reports.issue_indicators /rapports/indicateurs/emettre": lambda s: Target(
        "manager", _f("reports.issue_indicators"), _f("reports.indicators")),
    "visits.new_weight_set /suivi/ponderations/nouvelle": lambda s: Target(
        "manager", _f("visits.new_weight_set")),
    "visits.partner_form /suivi/partenaires/<int:partner_id>": lambda s: Target(
        "manager", _f("visits.partner_form", partner_id=s.partner)),
    "visits.partner_form /suivi/partenaires/nouveau": lambda s: Target(
        "manager", _f("visits.partner_form")),
    "visits.plan_visit /suivi/dossiers/<int:application_id>/visite": lambda s: Target(
        "manager", _f("visits.plan_visit", application_id=s.followed)),
    "visits.refer /suivi/visites/<int:visit_id>/orienter": lambda s: (s.partner, Target(
        "manager", _f("visits.refer", visit_id=s.planned_visit)))[1],
    "visits.referral_status /suivi/orientations/<int:referral_id>/statut": lambda s: Target(
        "manager", _f("visits.referral_status", referral_id=s.referral),
        _f("visits.referral_list")),
    "visits.report /suivi/visites/<int:visit_id>/rapport": lambda s: Target(
        "field", _f("visits.report", visit_id=s.planned_visit)),
    "visits.send_back /suivi/visites/<int:visit_id>/renvoyer": lambda s: Target(
        "manager", _f("visits.send_back", visit_id=s.submitted_visit), _visit(s.submitted_visit)),
    "visits.validate /suivi/visites/<int:visit_id>/valider": lambda s: Target(
        "manager", _f("visits.validate", visit_id=s.submitted_visit), _visit(s.submitted_visit)),
}


def route_keys(app) -> list[str]:
    """A key per POST route of the app (a route with a choice in its address: one per choice)."""
    from werkzeug.routing import AnyConverter

    keys = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        key = f"{rule.endpoint} {rule.rule}"
        choices = [c for c in rule._converters.values() if isinstance(c, AnyConverter)]
        keys += [f"{key}[{item}]" for item in sorted(choices[0].items)] if choices else [key]
    return sorted(keys)


# --- the forms of a page ----------------------------------------------------------------

@dataclass
class FormField:
    name: str
    kind: str  # text, hidden, checkbox, radio, select, textarea, file, …
    value: str | None  # what the page sends as it is (None: nothing)
    accept: str = ""  # file types a file field takes


@dataclass
class Form:
    action: str
    fields: list[FormField]
    other_actions: list[str] = field(default_factory=list)  # buttons' formaction

    def names(self, kinds=None) -> list[str]:
        seen = []
        for f in self.fields:
            if f.name not in seen and (kinds is None or f.kind in kinds):
                seen.append(f.name)
        return seen

    def files(self) -> list[FormField]:
        return [f for f in self.fields if f.kind == "file"]

    def as_sent(self) -> dict[str, list[str]]:
        """What the browser sends for the form untouched (files aside)."""
        data: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind != "file" and f.value is not None:
                data.setdefault(f.name, []).append(f.value)
        return data


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: list | None = None  # [name, first value, chosen, multiple]
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = Form(a.get("action") or "", [])
            if a.get("method", "get").lower() == "post":
                self.forms.append(self._form)
        if self._form is not None and tag == "button" and a.get("formaction"):
            self._form.other_actions.append(a["formaction"])
        if self._form is None or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("submit", "button", "reset", "image"):
                return
            checked = kind not in ("checkbox", "radio") or "checked" in a
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            self._form.fields.append(FormField(a["name"], kind,
                                               value if checked and kind != "file" else None,
                                               a.get("accept", "")))
        elif tag == "textarea":
            self._textarea = FormField(a["name"], "textarea", "")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = [a["name"], None, [], "multiple" in a]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, first, chosen, multiple = self._select
            values = chosen or ([] if multiple or first is None else [first])
            self._form.fields += [FormField(name, "select", v) for v in values] or [
                FormField(name, "select", None)]
            self._select = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_for(html: str, page: str, url: str) -> Form | None:
    """The form of `html` (shown at `page`) that posts to `url`."""
    for form in forms_of(html):
        actions = [form.action or page, *form.other_actions]
        if url.split("?")[0] in [a.split("#")[0].split("?")[0] for a in actions]:
            return form
    return None


# --- a route brought to its form -----------------------------------------------------------

@dataclass
class OpenRoute:
    target: Target
    client: object  # the test client, logged in as the target's actor
    form: Form  # the form as its page shows it

    def sign_in(self) -> None:
        if self.target.actor:
            assert login(self.client, self.target.actor).status_code == 302

    def signed_in(self) -> bool:
        with self.client.session_transaction() as session:
            return self.target.actor is None or "_user_id" in session


def open_route(app, make_user, key: str) -> OpenRoute:
    """Build the route's scenario, log its user in and read its form from its page."""
    scenario = Scenario(app, make_user)
    with app.test_request_context():
        target = ROUTES[key](scenario)
        scenario.user_id("admin")  # every user of the scenario exists
        db.session.remove()
    route = OpenRoute(target, app.test_client(), Form(target.url, []))
    route.sign_in()
    if target.fields:
        route.form.fields = [FormField(n, "text", v) for n, v in target.fields.items()]
        return route
    page_url = target.page or target.url
    page = route.client.get(page_url)
    assert page.status_code == 200, (page_url, page.status_code)
    form = form_for(page.get_data(as_text=True), page_url, target.url)
    assert form is not None, f"no form posting to {target.url} on {page_url}"
    route.form = form
    return route
