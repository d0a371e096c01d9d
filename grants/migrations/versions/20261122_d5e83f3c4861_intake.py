"""Intake: budget envelopes, calls, the returnee registry with consent, applications, screening.

Revision ID: d5e83f3c4861
Revises: 20826d63b4bd
Create Date: 2026-11-22 20:44:57.595122

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd5e83f3c4861'
down_revision = '20826d63b4bd'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('budget_envelope',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('funding_source', sa.Enum('bsi', 'iom', 'eu', 'other', name='fundingsource', native_enum=False, length=16), nullable=False),
    sa.Column('budget_line', sa.String(length=64), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('total > 0', name=op.f('ck_budget_envelope_total_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_envelope'))
    )
    op.create_table('reference_counter',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year', name=op.f('pk_reference_counter'))
    )
    op.create_table('beneficiary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('name_key', sa.String(length=170), nullable=False),
    sa.Column('sex', sa.Enum('F', 'M', name='sex', native_enum=False), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_date_estimated', sa.Boolean(), nullable=False),
    sa.Column('id_type', sa.Enum('nina', 'cni', 'passport', 'consular_card', 'laissez_passer', 'birth_certificate', 'none', name='idtype', native_enum=False, length=20), nullable=True),
    sa.Column('id_number', sa.String(length=40), nullable=True),
    sa.Column('id_number_key', sa.String(length=40), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('cercle', sa.String(length=80), nullable=True),
    sa.Column('commune', sa.String(length=80), nullable=True),
    sa.Column('address', sa.String(length=200), nullable=True),
    sa.Column('category', sa.Enum('returnee', 'potential_migrant', 'community_member', name='beneficiarycategory', native_enum=False, length=32), nullable=True),
    sa.Column('return_country', sa.String(length=80), nullable=True),
    sa.Column('return_date', sa.Date(), nullable=True),
    sa.Column('return_mode', sa.Enum('avrr', 'humanitarian', 'expelled', 'state_repatriation', 'spontaneous', name='returnmode', native_enum=False, length=32), nullable=True),
    sa.Column('iom_case_number', sa.String(length=40), nullable=True),
    sa.Column('education', sa.Enum('none', 'koranic', 'literacy', 'primary', 'secondary', 'vocational', 'higher', name='education', native_enum=False, length=16), nullable=True),
    sa.Column('skills', sa.Text(), nullable=True),
    sa.Column('skills_abroad', sa.Text(), nullable=True),
    sa.Column('household_size', sa.Integer(), nullable=True),
    sa.Column('verification_status', sa.Enum('unverified', 'verified', 'suspected_duplicate', 'rejected', name='verificationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('verification_note', sa.String(length=300), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('client_token', sa.String(length=36), nullable=True),
    sa.CheckConstraint('household_size >= 0', name=op.f('ck_beneficiary_household_size')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_beneficiary_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_beneficiary_region_id_region')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_beneficiary_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiary')),
    sa.UniqueConstraint('client_token', name=op.f('uq_beneficiary_client_token')),
    sa.UniqueConstraint('code', name=op.f('uq_beneficiary_code')),
    sa.UniqueConstraint('user_id', name=op.f('uq_beneficiary_user_id'))
    )
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_beneficiary_id_number_key'), ['id_number_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiary_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiary_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiary_region_id'), ['region_id'], unique=False)

    op.create_table('call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('envelope_id', sa.Integer(), nullable=False),
    sa.Column('opens_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'open', 'closed', name='callstatus', native_enum=False, length=16), nullable=False),
    sa.Column('target_categories', sa.JSON(), nullable=False),
    sa.Column('project_types', sa.JSON(), nullable=False),
    sa.Column('required_documents', sa.JSON(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=False),
    sa.Column('max_age', sa.Integer(), nullable=False),
    sa.Column('cap_per_project', sa.BigInteger(), nullable=False),
    sa.Column('min_contribution_percent', sa.Integer(), nullable=False),
    sa.Column('tranche_plan', sa.JSON(), nullable=False),
    sa.Column('visit_plan', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('cap_per_project > 0', name=op.f('ck_call_cap_positive')),
    sa.CheckConstraint('closes_on >= opens_on', name=op.f('ck_call_dates_in_order')),
    sa.CheckConstraint('min_contribution_percent BETWEEN 0 AND 100', name=op.f('ck_call_contribution_pct')),
    sa.ForeignKeyConstraint(['envelope_id'], ['budget_envelope.id'], name=op.f('fk_call_envelope_id_budget_envelope')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call'))
    )
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_envelope_id'), ['envelope_id'], unique=False)

    op.create_table('application',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=True),
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('project_type', sa.Enum('individual', 'collective', 'community', name='projecttype', native_enum=False, length=16), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('community_name', sa.String(length=160), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'eligible', 'ineligible', 'incomplete', 'under_review', 'selected', 'waitlisted', 'rejected', 'agreement_signed', 'in_disbursement', 'in_follow_up', 'closed', 'withdrawn', 'cancelled', name='applicationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=True),
    sa.Column('sector', sa.Enum('agriculture', 'livestock', 'fishing', 'agrifood', 'trade', 'tailoring', 'metalwork', 'woodwork', 'construction', 'painting', 'mechanics', 'transport', 'hairdressing', 'catering', 'digital', 'crafts', 'other', name='sector', native_enum=False, length=16), nullable=True),
    sa.Column('activity', sa.Text(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('cercle', sa.String(length=80), nullable=True),
    sa.Column('commune', sa.String(length=80), nullable=True),
    sa.Column('product_service', sa.Text(), nullable=True),
    sa.Column('customers_market', sa.Text(), nullable=True),
    sa.Column('competition', sa.Text(), nullable=True),
    sa.Column('suppliers', sa.Text(), nullable=True),
    sa.Column('monthly_revenue', sa.BigInteger(), nullable=True),
    sa.Column('monthly_costs', sa.BigInteger(), nullable=True),
    sa.Column('jobs_planned', sa.Integer(), nullable=True),
    sa.Column('jobs_women', sa.Integer(), nullable=True),
    sa.Column('jobs_youth', sa.Integer(), nullable=True),
    sa.Column('training_needs', sa.Text(), nullable=True),
    sa.Column('budget_total', sa.BigInteger(), nullable=False),
    sa.Column('own_contribution', sa.BigInteger(), nullable=False),
    sa.Column('own_contribution_kind', sa.Enum('none', 'cash', 'in_kind', 'both', name='contributionkind', native_enum=False, length=16), nullable=False),
    sa.Column('own_contribution_details', sa.String(length=300), nullable=True),
    sa.Column('requested_amount', sa.BigInteger(), nullable=False),
    sa.Column('support_mode', sa.Enum('in_kind', 'cash', 'mixed', name='supportmode', native_enum=False, length=16), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('client_token', sa.String(length=36), nullable=True),
    sa.CheckConstraint('budget_total >= 0', name=op.f('ck_application_budget_total')),
    sa.CheckConstraint('own_contribution >= 0', name=op.f('ck_application_own_contribution')),
    sa.CheckConstraint('requested_amount >= 0', name=op.f('ck_application_requested_amount')),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_application_call_id_call')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_application_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['lead_id'], ['beneficiary.id'], name=op.f('fk_application_lead_id_beneficiary')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_application_region_id_region')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application')),
    sa.UniqueConstraint('client_token', name=op.f('uq_application_client_token')),
    sa.UniqueConstraint('reference', name=op.f('uq_application_reference'))
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_lead_id'), ['lead_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_region_id'), ['region_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_sector'), ['sector'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_status'), ['status'], unique=False)

    op.create_table('beneficiary_restricted',
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('vulnerabilities', sa.JSON(), nullable=False),
    sa.Column('health_notes', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_beneficiary_restricted_beneficiary_id_beneficiary'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_beneficiary_restricted_updated_by_id_user_account')),
    sa.PrimaryKeyConstraint('beneficiary_id', name=op.f('pk_beneficiary_restricted'))
    )
    op.create_table('call_region',
    sa.Column('call_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['call.id'], name=op.f('fk_call_region_call_id_call'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_call_region_region_id_region')),
    sa.PrimaryKeyConstraint('call_id', 'region_id', name=op.f('pk_call_region'))
    )
    op.create_table('duplicate_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_duplicate_review_beneficiary_id_beneficiary'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_duplicate_review_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['other_id'], ['beneficiary.id'], name=op.f('fk_duplicate_review_other_id_beneficiary'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_review')),
    sa.UniqueConstraint('beneficiary_id', 'other_id', name=op.f('uq_duplicate_review_beneficiary_id_other_id'))
    )
    op.create_table('application_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('submit', 'declare_eligible', 'declare_ineligible', 'declare_incomplete', 'start_review', 'select', 'waitlist', 'reject', 'sign_agreement', 'start_disbursement', 'start_follow_up', 'close', 'withdraw', 'cancel', name='applicationaction', native_enum=False, length=24), nullable=False),
    sa.Column('from_status', sa.Enum('draft', 'submitted', 'eligible', 'ineligible', 'incomplete', 'under_review', 'selected', 'waitlisted', 'rejected', 'agreement_signed', 'in_disbursement', 'in_follow_up', 'closed', 'withdrawn', 'cancelled', name='applicationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('to_status', sa.Enum('draft', 'submitted', 'eligible', 'ineligible', 'incomplete', 'under_review', 'selected', 'waitlisted', 'rejected', 'agreement_signed', 'in_disbursement', 'in_follow_up', 'closed', 'withdrawn', 'cancelled', name='applicationstatus', native_enum=False, length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_application_event_actor_id_user_account')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_event_application_id_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_event'))
    )
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_event_application_id'), ['application_id'], unique=False)

    op.create_table('application_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('is_lead', sa.Boolean(), nullable=False),
    sa.Column('share_percent', sa.Integer(), nullable=False),
    sa.CheckConstraint('share_percent BETWEEN 0 AND 100', name=op.f('ck_application_member_share_percent')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_member_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_application_member_beneficiary_id_beneficiary')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_member')),
    sa.UniqueConstraint('application_id', 'beneficiary_id', name=op.f('uq_application_member_application_id_beneficiary_id'))
    )
    with op.batch_alter_table('application_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_member_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_member_beneficiary_id'), ['beneficiary_id'], unique=False)

    op.create_table('application_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=300), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_application_revision_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_application_revision_author_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_revision')),
    sa.UniqueConstraint('application_id', 'number', name=op.f('uq_application_revision_application_id_number'))
    )
    with op.batch_alter_table('application_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_revision_application_id'), ['application_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('beneficiary_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('id_scan', 'proforma', 'photo', 'business_plan', 'other', 'signature', name='documentkind', native_enum=False, length=20), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('stored_name', sa.String(length=60), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_attachment_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_attachment_beneficiary_id_beneficiary'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_attachment_uploaded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachment_stored_name'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_beneficiary_id'), ['beneficiary_id'], unique=False)

    op.create_table('budget_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('equipment', 'stock', 'premises', 'livestock', 'working_capital', 'training', 'transport', 'other', name='budgetcategory', native_enum=False, length=20), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_cost', sa.BigInteger(), nullable=False),
    sa.Column('total', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_budget_line_quantity_positive')),
    sa.CheckConstraint('total = quantity * unit_cost', name=op.f('ck_budget_line_total_is_product')),
    sa.CheckConstraint('unit_cost > 0', name=op.f('ck_budget_line_unit_cost_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_budget_line_application_id_application'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_line'))
    )
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_line_application_id'), ['application_id'], unique=False)

    op.create_table('screening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('eligible', 'ineligible', 'incomplete', name='screeningoutcome', native_enum=False, length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('screened_by_id', sa.Integer(), nullable=False),
    sa.Column('screened_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], name=op.f('fk_screening_application_id_application'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['screened_by_id'], ['user_account.id'], name=op.f('fk_screening_screened_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening'))
    )
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_application_id'), ['application_id'], unique=False)

    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('notice_version', sa.String(length=20), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('signature_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.Column('withdrawal_reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_consent_beneficiary_id_beneficiary'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_consent_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['signature_id'], ['attachment.id'], name=op.f('fk_consent_signature_id_attachment')),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['user_account.id'], name=op.f('fk_consent_withdrawn_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_beneficiary_id'), ['beneficiary_id'], unique=False)

    op.create_table('screening_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('screening_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.Enum('target_group', 'age', 'region', 'documents', 'amount_cap', 'not_duplicate', 'no_active_grant', name='checkitem', native_enum=False, length=20), nullable=False),
    sa.Column('result', sa.Enum('pass', 'fail', name='checkresult', native_enum=False, length=8), nullable=False),
    sa.Column('suggested', sa.Enum('pass', 'fail', name='checkresult', native_enum=False, length=8), nullable=True),
    sa.Column('comment', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['screening_id'], ['screening.id'], name=op.f('fk_screening_item_screening_id_screening'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_item'))
    )
    with op.batch_alter_table('screening_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_item_screening_id'), ['screening_id'], unique=False)



def downgrade():
    with op.batch_alter_table('screening_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_item_screening_id'))

    op.drop_table('screening_item')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_beneficiary_id'))

    op.drop_table('consent')
    with op.batch_alter_table('screening', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_application_id'))

    op.drop_table('screening')
    with op.batch_alter_table('budget_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_line_application_id'))

    op.drop_table('budget_line')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_beneficiary_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_application_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('application_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_revision_application_id'))

    op.drop_table('application_revision')
    with op.batch_alter_table('application_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_member_beneficiary_id'))
        batch_op.drop_index(batch_op.f('ix_application_member_application_id'))

    op.drop_table('application_member')
    with op.batch_alter_table('application_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_event_application_id'))

    op.drop_table('application_event')
    op.drop_table('duplicate_review')
    op.drop_table('call_region')
    op.drop_table('beneficiary_restricted')
    with op.batch_alter_table('application', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_status'))
        batch_op.drop_index(batch_op.f('ix_application_sector'))
        batch_op.drop_index(batch_op.f('ix_application_region_id'))
        batch_op.drop_index(batch_op.f('ix_application_lead_id'))
        batch_op.drop_index(batch_op.f('ix_application_created_at'))
        batch_op.drop_index(batch_op.f('ix_application_call_id'))

    op.drop_table('application')
    with op.batch_alter_table('call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_envelope_id'))

    op.drop_table('call')
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_beneficiary_region_id'))
        batch_op.drop_index(batch_op.f('ix_beneficiary_phone'))
        batch_op.drop_index(batch_op.f('ix_beneficiary_name_key'))
        batch_op.drop_index(batch_op.f('ix_beneficiary_id_number_key'))

    op.drop_table('beneficiary')
    op.drop_table('reference_counter')
    op.drop_table('budget_envelope')
