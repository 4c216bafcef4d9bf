"""Sending mail through one function; the backend comes from configuration."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

# Mails sent with the "memory" backend (tests read them here).
outbox: list[EmailMessage] = []


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def send_mail(mail: Mail) -> None:
    """Send now, or through the job queue when there is one (JOB_QUEUE_URL): a slow or
    unreachable mail server then does not hold up the request. When the queue cannot be
    reached the mail is sent here after all."""
    if current_app.config.get("JOB_QUEUE_URL"):
        from burgerbegroting.jobs.queue import rq_queue

        try:
            # RQ logs a job's description, by default the call with its arguments: the address
            # and the e-mail link's token. A fixed description keeps them out of the log. A mail
            # that failed every retry stays in Redis for an hour only (its link is a credential).
            rq_queue().enqueue("burgerbegroting.core.mail.deliver", mail.to, mail.subject, mail.body,
                               description="mail", result_ttl=0, failure_ttl=3600, retry=_retry())
            return
        except Exception as exc:  # any Redis failure: send it ourselves
            current_app.logger.warning("Mail not queued (%s); sending it now", type(exc).__name__)
    _send(mail)


def _retry():  # type: ignore[no-untyped-def]
    from rq import Retry

    return Retry(max=3, interval=[10, 60, 300])


def deliver(to: str, subject: str, body: str) -> None:
    """The queued mail, in the worker (``flask worker``)."""
    from flask import has_app_context

    if has_app_context():
        _send(Mail(to, subject, body))
        return
    from burgerbegroting.app import create_app

    with create_app().app_context():
        _send(Mail(to, subject, body))


def _send(mail: Mail) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_DEFAULT_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)

    backend = config["MAIL_BACKEND"]
    if backend == "memory":
        outbox.append(message)
    elif backend == "log":
        # Development only: the demo has no mail server, so links appear in the console.
        current_app.logger.info("Mail to %s: %s\n%s", mail.to, mail.subject, mail.body)
    elif backend == "smtp":
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config["MAIL_USE_TLS"]:
                smtp.starttls()
            if config["MAIL_USERNAME"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.send_message(message)
    else:
        raise RuntimeError(f"unknown MAIL_BACKEND {backend!r}")
