"""Domain signals. Operations send them; the audit log, mail and caches listen."""

from blinker import Namespace

_signals = Namespace()

user_registered = _signals.signal("user-registered")
user_deleted = _signals.signal("user-deleted")
roles_changed = _signals.signal("roles-changed")
staff_created = _signals.signal("staff-created")
two_factor_enabled = _signals.signal("two-factor-enabled")

# Rounds and phases.
round_created = _signals.signal("round-created")
round_updated = _signals.signal("round-updated")
districts_imported = _signals.signal("districts-imported")
phase_changed = _signals.signal("phase-changed")

# Proposals, reviews, moderation.
proposal_published = _signals.signal("proposal-published")
proposal_status_changed = _signals.signal("proposal-status-changed")
proposal_cost_changed = _signals.signal("proposal-cost-changed")
proposals_merged = _signals.signal("proposals-merged")
review_saved = _signals.signal("review-saved")
report_filed = _signals.signal("report-filed")
content_hidden = _signals.signal("content-hidden")
content_restored = _signals.signal("content-restored")
report_dismissed = _signals.signal("report-dismissed")
low_support_marked = _signals.signal("low-support-marked")

# Voting.
codes_generated = _signals.signal("codes-generated")
code_reissued = _signals.signal("code-reissued")
ballot_cast = _signals.signal("ballot-cast")
# A staff member entered a paper ballot (payload: district and outcome only, never choices or code).
paper_entered = _signals.signal("paper-entered")
# A panel decided on a proposal in a round without a vote (payload: proposal, selected, reason).
panel_decision_recorded = _signals.signal("panel-decision-recorded")

# Results.
tally_stored = _signals.signal("tally-stored")
implementation_updated = _signals.signal("implementation-updated")
