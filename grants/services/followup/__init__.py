"""Follow-up of funded projects: the visit plan, assignment and review (visits), the field
officer's report (visit_reports), the sustainability questionnaire and its scores
(questionnaire, sustainability), worklists, loads and survival (monitoring), partner referrals
(referrals), and the Kobo form and import (field_tools)."""
