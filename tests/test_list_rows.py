"""The dossiers and returnees lists read a page's rows as plain columns
(grants/services/intake/list_rows.py): the same values the records hold, in the page's order,
ids that are gone left out."""

from grants.extensions import db
from grants.models import Application, Beneficiary, Role, User
from grants.services.intake import applications, list_rows
from grants.vocabulary import ProjectType
from tests import factories
from tests.conftest import committed


def test_rows_hold_the_records_values_in_the_pages_order(app, make_user):
    manager_id = make_user(Role.PROGRAMME_MANAGER, username="manager")
    with committed(app):
        manager = db.session.get(User, manager_id)
        call = factories.open_call(manager)
        people = [factories.person(manager, f"Awa{i}", "Traoré", id_number=f"L{i}",
                                   phone=f"+2237612345{i}") for i in range(3)]
        drafts = [applications.create_draft(manager, call=call, lead=person,
                                            project_type=ProjectType.INDIVIDUAL)
                  for person in people]
        drafts[1].title = "Atelier de couture"
        db.session.flush()
        dossier_ids, person_ids = [d.id for d in drafts], [p.id for p in people]
    with app.app_context():
        ids = dossier_ids[::-1] + [10**6]  # newest first, and an id that is gone
        rows = list_rows.dossiers(ids)
        assert [row.id for row in rows] == ids[:-1]
        for row in rows:
            record = db.session.get(Application, row.id)
            assert (row.display_reference, row.title, row.status, row.project_type,
                    row.sector, row.requested_amount, row.created_at) == (
                record.display_reference, record.title, record.status, record.project_type,
                record.sector, record.requested_amount, record.created_at)
            assert (row.lead_name, row.lead_code, row.region_name) == (
                record.lead.full_name, record.lead.code, record.region.name)
        assert rows[1].title == "Atelier de couture"

        person_ids = person_ids[::-1]
        found = list_rows.returnees(person_ids)
        assert [row.id for row in found] == person_ids
        for row in found:
            record = db.session.get(Beneficiary, row.id)
            assert (row.code, row.full_name, row.sex, row.phone, row.verification_status,
                    row.created_at) == (record.code, record.full_name, record.sex,
                                        record.phone, record.verification_status,
                                        record.created_at)
            assert row.region == (record.region.name if record.region else None)
        assert list_rows.dossiers([]) == [] and list_rows.returnees([]) == []
