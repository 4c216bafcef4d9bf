"""Mails to authors about what happened to their content, in the author's own language."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.routing import BuildError

from burgerbegroting.auth.models import User
from burgerbegroting.core import signals
from burgerbegroting.core.mail import Mail, send_mail
from burgerbegroting.extensions import db


def proposal_url(proposal_id: int, external: bool = False) -> str:
    """The public page of a proposal (``/voorstellen/<id>``)."""
    try:
        return url_for("proposals.detail", proposal_id=proposal_id, _external=external)
    except (BuildError, RuntimeError):
        path = f"/voorstellen/{proposal_id}"
        if external and has_request_context():
            return request.host_url.rstrip("/") + path
        return path


def mail_user(user_id: int | None, subject: Any, body: Any, **values: Any) -> None:
    """Send ``subject``/``body`` (English msgids, translated here) to a user in their language.
    ``subject`` and ``body`` are callables taking the values, so the translation happens
    inside the user's locale."""
    if user_id is None:
        return
    user = db.session.get(User, user_id)
    if user is None:
        return
    with force_locale(user.locale or "nl"):
        send_mail(Mail(to=user.email, subject=subject(**values), body=body(**values)))


def _kind(target_type: str) -> str:
    return _("proposal") if target_type == "proposal" else _("comment")


def _on_hidden(target: Any, reason: str, **_kw: Any) -> None:
    proposal = target.proposal
    mail_user(
        target.author_id,
        lambda **v: _("Your %(kind)s has been hidden", kind=_kind(v["type"])),
        lambda **v: _(
            "A moderator has hidden your %(kind)s on the proposal \"%(title)s\".\n\n"
            "Reason: %(reason)s\n\n"
            "Nothing has been deleted. If you think this is a mistake, reply to this e-mail.\n\n%(link)s",
            kind=_kind(v["type"]), title=v["title"], reason=v["reason"], link=v["link"]),
        type=target.type, title=proposal.title, reason=reason, link=proposal_url(proposal.id, external=True),
    )


def _on_restored(target: Any, **_kw: Any) -> None:
    proposal = target.proposal
    mail_user(
        target.author_id,
        lambda **v: _("Your %(kind)s is visible again", kind=_kind(v["type"])),
        lambda **v: _("A moderator has made your %(kind)s on the proposal \"%(title)s\" visible again.\n\n%(link)s",
                      kind=_kind(v["type"]), title=v["title"], link=v["link"]),
        type=target.type, title=proposal.title, link=proposal_url(proposal.id, external=True),
    )


def connect() -> None:
    signals.content_hidden.connect(_on_hidden)
    signals.content_restored.connect(_on_restored)
