"""The committee's decision reasons are stored as codes and shown in the reader's language; the
chair's justification stays as written; reasons stored as words before are migrated."""

import io
import re

import flask_migrate
import openpyxl
import sqlalchemy as sa
from flask_babel import force_locale
from pypdf import PdfReader

from grants.extensions import db
from grants.models import DecisionReason, SessionDossier
from grants.services.committees import minutes, selection
from grants.services.intake import applications
from grants.workflow import ApplicationAction
from tests.conftest import download, login
from tests.factories import load_committee, score_dossier


def _finalised(app, ids, locale):
    """Five dossiers: two selected, one on the waiting list, one below the pass mark and one
    rejected by the chair; finalised by a chair reading the pages in `locale`."""
    with app.test_request_context(), force_locale(locale):
        user, session, dossiers = load_committee(ids)
        session.call.envelope.total = 2_200_000  # 1.0 + 1.1 M selected
        for n, total in enumerate((90, 85, 80, 75, 50)):
            score_dossier(user["m0"], session, dossiers[n], total)
        chaired = next(d for d in session.dossiers if d.application_id == dossiers[3].id)
        selection.force_decision(user["chair"], chaired, selection.Decision.REJECTED,
                                 "Activité déjà financée par une ONG")
        selection.record_attendance(user["chair"], session, {
            user["chair"].id, user["m0"].id, user["m1"].id})
        selection.finalise(user["chair"], session)
        db.session.commit()
        return [d.id for d in dossiers]


def _codes(dossier_ids):
    rows = db.session.scalars(sa.select(SessionDossier).where(
        SessionDossier.application_id.in_(dossier_ids)))
    by_application = {d.application_id: d for d in rows}
    return [(by_application[i].decision_reason_code, by_application[i].decision_reason)
            for i in dossier_ids]


def test_finalisation_stores_codes_whatever_the_chairs_language(app, committee):
    dossier_ids = _finalised(app, committee, "en")
    with app.app_context():
        assert _codes(dossier_ids) == [
            (DecisionReason.WITHIN_ENVELOPE, None), (DecisionReason.WITHIN_ENVELOPE, None),
            (DecisionReason.ENVELOPE_USED_UP, None), (DecisionReason.CHAIR, None),
            (DecisionReason.BELOW_PASS_MARK, None)]
        dossier = db.session.scalar(sa.select(SessionDossier).where(
            SessionDossier.application_id == dossier_ids[3]))
        assert dossier.justification == "Activité déjà financée par une ONG"  # as typed


def test_each_reader_sees_the_reasons_in_their_language(app, committee):
    _finalised(app, committee, "en")
    path = f"/comites/{committee['session']}/classement"
    french, english = app.test_client(), app.test_client()
    login(french, "manager")
    login(english, "member0")
    english.post("/langue", data={"locale": "en"})
    page = french.get(path).get_data(as_text=True)
    for words in ("Dans la limite de l&#39;enveloppe", "Enveloppe épuisée",
                  "Sous la note de passage",
                  "Décision du président: Activité déjà financée par une ONG"):
        assert words in page
    assert "Within the envelope" not in page
    page = english.get(path).get_data(as_text=True)
    for words in ("Within the envelope", "Envelope used up", "Below the pass mark",
                  "Decision of the chair: Activité déjà financée par une ONG"):
        assert words in page
    sheet = openpyxl.load_workbook(io.BytesIO(download(french, path + ".xlsx"))).active
    reasons = [sheet.cell(row=r, column=12).value for r in range(2, 7)]
    assert reasons == ["Dans la limite de l'enveloppe", "Dans la limite de l'enveloppe",
                       "Enveloppe épuisée", "Décision du président", "Sous la note de passage"]
    sheet = openpyxl.load_workbook(io.BytesIO(download(english, path + ".xlsx"))).active
    assert sheet.cell(row=2, column=12).value == "Within the envelope"


def test_the_minutes_and_a_promotion_use_the_codes(app, committee):
    dossier_ids = _finalised(app, committee, "en")
    with app.test_request_context(), force_locale("en"):
        user, session, dossiers = load_committee(committee)
        applications.transition(user["manager"], dossiers[1], ApplicationAction.WITHDRAW, "Parti")
        promoted = selection.promote_next(user["manager"], session)
        assert (promoted.decision_reason_code, promoted.decision_reason) == (
            DecisionReason.PROMOTED, None)
        promoted_id = promoted.application_id
        version = minutes.generate(user["chair"], session)
        db.session.commit()
        text = " ".join("".join(page.extract_text() for page in PdfReader(
            io.BytesIO(minutes.minutes_path(version).read_bytes())).pages).split())
    assert "Repêché sur la liste d'attente" in text or "Repêché sur la liste d’attente" in text
    assert "Sous la note de passage" in text and "Below the pass mark" not in text
    assert promoted_id == dossier_ids[2]


def test_the_migration_turns_stored_words_into_codes_and_keeps_other_text(app, committee):
    dossier_ids = _finalised(app, committee, "fr")
    with app.app_context():
        try:
            flask_migrate.downgrade(revision="e6fd4b9ec3c9")  # reasons back to words
            table = sa.table("session_dossier", sa.column("application_id"),
                             sa.column("decision_reason"))
            stored = dict(db.session.execute(sa.select(
                table.c.application_id, table.c.decision_reason)).all())
            assert stored[dossier_ids[0]] == "Within the envelope"
            for application_id, words in ((dossier_ids[2], "Enveloppe épuisée"),
                                          (dossier_ids[4], "Dossier incomplet selon le jury")):
                db.session.execute(table.update().where(table.c.application_id == application_id)
                                   .values(decision_reason=words))
            db.session.commit()
        finally:
            db.session.remove()
            flask_migrate.upgrade()
        assert _codes(dossier_ids) == [
            (DecisionReason.WITHIN_ENVELOPE, None), (DecisionReason.WITHIN_ENVELOPE, None),
            (DecisionReason.ENVELOPE_USED_UP, None), (DecisionReason.CHAIR, None),
            (None, "Dossier incomplet selon le jury")]  # text nobody could map: as written
        dossier = db.session.scalar(sa.select(SessionDossier).where(
            SessionDossier.application_id == dossier_ids[4]))
        assert dossier.decision_reason_text == "Dossier incomplet selon le jury"


def test_the_dossier_history_names_the_session_and_rank_in_no_language(app, committee):
    """The history of a dossier keeps no translated words: it reads the same in both languages."""
    from grants.models import ApplicationEvent
    from grants.workflow import ApplicationAction

    _finalised(app, committee, "fr")
    with app.app_context():
        comments = db.session.scalars(db.select(ApplicationEvent.comment).where(
            ApplicationEvent.action.in_([ApplicationAction.SELECT, ApplicationAction.WAITLIST,
                                         ApplicationAction.REJECT]))).all()
        assert comments and all(re.fullmatch(r"CS-\d{4}-\d{2} #\d+", c) for c in comments)
