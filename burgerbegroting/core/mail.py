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
