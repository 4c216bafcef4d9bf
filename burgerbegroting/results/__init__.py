"""Results: counting a round's stored ballots, publishing the outcome, exports, the council
dashboard, implementation updates and the evaluation page.

Decision (issue 7): a count is *stored* in the counting phase (a ``TallyRun`` per district,
as many times as the admin likes; the newest counts) and changes nothing else. Only when the
admin *publishes* are the proposals' statuses set from the newest tally of every district
(feasible → selected / not_selected, through ``change_status``) and the round moved to its
results phase (``change_phase_now``, audited). Before that, counts are shown to admins only.
"""
