"""What the admin reads about a job: its kind and, when it failed, why (no technical detail)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "letters": _l("Letters with voting codes"),
    "count": _l("Count the votes"),
    "register_letters": _l("Letters from a register"),
}

STATUS_LABELS = {
    "queued": _l("Waiting to start"),
    "running": _l("Running"),
    "done": _l("Finished"),
    "failed": _l("Failed"),
}

ERRORS = {
    "not_allowed_now": _l("This cannot be done in the round's current phase, or the person who started it no "
                          "longer has the role for it. Nothing was changed."),
    "gone": _l("The round or district no longer exists. Nothing was changed."),
    "not_counting": _l("This round is not being counted now. Nothing was changed."),
    "queue_unavailable": _l("The job queue cannot be reached. Nothing was changed; try again in a few minutes."),
    "interrupted": _l("The job stopped before it was finished (the server was restarted). Nothing was changed; "
                      "start it again."),
    "no_register": _l("The uploaded register is no longer stored with this job. Nothing was changed; upload the "
                      "file again."),
    "failed": _l("Something went wrong while doing this job. Nothing was changed. Try again; if it fails again, "
                 "ask the technical administrator to look in the log."),
}


# Said under the error of a failed job of this kind.
AFTER_FAILURE = {
    "register_letters": _l("The uploaded register has been deleted with the job (it holds names and addresses). "
                           "To try again, upload the file again."),
}


def error_message(code: str | None) -> str:
    return str(ERRORS.get(code or "failed", ERRORS["failed"]))
