"""The texts of the messages: one template per event and language, with named placeholders.
An administrator's template replaces the shipped one; a language without a template for an
event falls back to French. A placeholder that is not in PLACEHOLDERS is refused when the
template is saved, so that no template can reach a field the message must not carry (health,
vulnerabilities, scores): the values are computed here from a closed list."""

import string

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from grants.extensions import db
from grants.models import MessageEvent, MessageTemplate, User
from grants.permissions import Permission, can
from grants.services import audit
from grants.services.errors import ForbiddenError, ValidationError

E = MessageEvent

PLACEHOLDERS = {
    "first_name": _l("the returnee's first name"),
    "code": _l("the returnee's code (ML-2026-000123)"),
    "reference": _l("the dossier's reference"),
    "missing": _l("what is missing, as the screening said it"),
    "agreement": _l("the agreement's number"),
    "amount": _l("an amount, as 1 500 000 F CFA"),
    "channel": _l("the payment channel"),
    "date": _l("a date, as dd/mm/yyyy"),
    "result": _l("the visit's recommendation"),
}
MAX_LENGTH = 480  # three GSM-7 segments

SHIPPED: dict[str, dict[MessageEvent, str]] = {
    "fr": {
        E.REGISTERED: "Bonjour {first_name}, votre inscription au programme de réintégration "
                      "est faite. Votre code: {code}. Gardez-le.",
        E.SUBMITTED: "Votre dossier {reference} a été déposé le {date}. Nous vous informerons "
                     "de la suite.",
        E.INCOMPLETE: "Votre dossier {reference} est incomplet. Il manque: {missing}. Passez au "
                      "bureau pour le compléter.",
        E.ELIGIBLE: "Votre dossier {reference} est éligible. Il sera examiné par le comité de "
                    "sélection.",
        E.INELIGIBLE: "Votre dossier {reference} n'est pas éligible. Passez au bureau pour en "
                      "savoir plus.",
        E.SELECTED: "Félicitations! Votre dossier {reference} est retenu par le comité.",
        E.WAITLISTED: "Votre dossier {reference} est sur la liste d'attente. Nous vous "
                      "informerons si une place se libère.",
        E.NOT_SELECTED: "Votre dossier {reference} n'a pas été retenu par le comité. Passez au "
                        "bureau pour en savoir plus.",
        E.AGREEMENT_READY: "Votre convention {agreement} de {amount} est prête. Passez au "
                           "bureau pour la signer.",
        E.TRANCHE_PAID: "Un versement de {amount} pour votre projet {reference} a été payé le "
                        "{date} ({channel}).",
        E.VISIT_RESULT: "Visite de suivi du {date} de votre projet {reference}: {result}.",
    },
    "en": {
        E.REGISTERED: "Hello {first_name}, you are registered with the reintegration "
                      "programme. Your code: {code}. Keep it.",
        E.SUBMITTED: "Your dossier {reference} was submitted on {date}. We will tell you what "
                     "happens next.",
        E.INCOMPLETE: "Your dossier {reference} is incomplete. Missing: {missing}. Please come "
                      "to the office to complete it.",
        E.ELIGIBLE: "Your dossier {reference} is eligible. The selection committee will "
                    "examine it.",
        E.INELIGIBLE: "Your dossier {reference} is not eligible. Please come to the office to "
                      "learn more.",
        E.SELECTED: "Congratulations! Your dossier {reference} was selected by the committee.",
        E.WAITLISTED: "Your dossier {reference} is on the waiting list. We will tell you if a "
                      "place opens.",
        E.NOT_SELECTED: "Your dossier {reference} was not selected by the committee. Please "
                        "come to the office to learn more.",
        E.AGREEMENT_READY: "Your agreement {agreement} for {amount} is ready. Please come to the "
                           "office to sign it.",
        E.TRANCHE_PAID: "A payment of {amount} for your project {reference} was made on {date} "
                        "({channel}).",
        E.VISIT_RESULT: "Follow-up visit of {date} for your project {reference}: {result}.",
    },
}


def placeholders_of(body: str) -> list[str]:
    """The placeholders of `body`; refuses unknown ones, formats and unbalanced braces."""
    try:
        fields = [(name, spec, conversion)
                  for _text, name, spec, conversion in string.Formatter().parse(body)
                  if name is not None]
    except ValueError:
        raise ValidationError(_l("A brace is not closed: write placeholders as {code}."),
                              "body") from None
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS or spec or conversion:
            raise ValidationError(_l("Unknown placeholder {%(name)s}: use %(known)s.",
                                     name=name, known=", ".join(f"{{{p}}}" for p in PLACEHOLDERS)),
                                  "body")
    return [name for name, _spec, _conversion in fields]


def check_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError(_l("Write the message."), "body")
    if len(body) > MAX_LENGTH:
        raise ValidationError(_l("At most %(n)s characters.", n=MAX_LENGTH), "body")
    placeholders_of(body)
    return body


def render(body: str, values: dict[str, str]) -> str:
    """The text with its placeholders filled; a value the event does not have stays empty."""
    placeholders_of(body)
    return body.format_map({name: values.get(name, "") for name in PLACEHOLDERS})


def stored(event: MessageEvent, language: str) -> MessageTemplate | None:
    return db.session.scalar(sa.select(MessageTemplate).where(
        MessageTemplate.event == event, MessageTemplate.language == language))


def every_stored() -> dict[tuple[MessageEvent, str], str]:
    """The administrators' templates, by (event, language): one query for a page of them all."""
    return {(template.event, template.language): template.body
            for template in db.session.scalars(sa.select(MessageTemplate))}


def body_for(event: MessageEvent, language: str,
             saved: dict[tuple[MessageEvent, str], str] | None = None) -> str:
    """The administrator's template, else the shipped one, else the French one. `saved`: the
    stored templates already read (every_stored()), else each is looked up."""
    for lang in (language, "fr"):
        if saved is not None:
            body = saved.get((event, lang))
        else:
            template = stored(event, lang)
            body = template.body if template is not None else None
        if body is not None:
            return body
        if event in SHIPPED.get(lang, {}):
            return SHIPPED[lang][event]
    raise LookupError(event)  # SHIPPED["fr"] has every event (tests/test_notifications.py)


def save_template(actor: User, event: MessageEvent, language: str, body: str) -> MessageTemplate:
    if not can(actor, Permission.MESSAGES_TEMPLATES):
        raise ForbiddenError(_l("You may not do this operation."))
    body = check_body(body)
    template = stored(event, language)
    if template is None:
        template = MessageTemplate(event=event, language=language, body=body)
        db.session.add(template)
    template.body, template.updated_by_id = body, actor.id
    db.session.flush()
    audit.record("message_template.saved", actor, template, details={"event": event.value,
                                                                      "language": language})
    return template
