"""Intake: calls for proposals (calls), the returnee registry with consent and de-duplication
(beneficiaries), dossiers, their sections, versions and the one status workflow (applications),
the listing filters (queries), the members of collective dossiers (members) and eligibility
screening (screening)."""
