"""Mail through the job queue: queued when JOB_QUEUE_URL is set, sent by the worker; sent at
once when there is no queue or the queue is down."""

from __future__ import annotations

import itertools

from burgerbegroting.core import mail

_names = itertools.count()


def test_mail_waits_in_the_queue_until_the_worker_sends_it(app, redis_url, monkeypatch):
    from rq import SimpleWorker

    from burgerbegroting.jobs.queue import rq_queue

    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", redis_url)
    monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", f"mail-test-{next(_names)}")
    mail.send_mail(mail.Mail("inwoner@example.org", "Onderwerp", "Tekst"))
    assert mail.outbox == [] and rq_queue().count == 1
    queue = rq_queue()
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert [(m["To"], m["Subject"]) for m in mail.outbox] == [("inwoner@example.org", "Onderwerp")]


def test_mail_is_sent_at_once_without_queue_or_when_it_is_down(app, monkeypatch):
    mail.send_mail(mail.Mail("a@example.org", "Zonder wachtrij", "Tekst"))
    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", "redis://127.0.0.1:1/0")
    mail.send_mail(mail.Mail("b@example.org", "Wachtrij onbereikbaar", "Tekst"))
    assert [m["To"] for m in mail.outbox] == ["a@example.org", "b@example.org"]


def test_worker_log_holds_neither_the_address_nor_the_link(app, redis_url, monkeypatch, caplog):
    # RQ logs each job's description, by default the call with its arguments: a reset link's
    # token would land in the log (redact() removes addresses and codes, not link tokens).
    import logging

    from rq import SimpleWorker

    from burgerbegroting.jobs.queue import rq_queue

    monkeypatch.setitem(app.config, "JOB_QUEUE_URL", redis_url)
    monkeypatch.setitem(app.config, "JOB_QUEUE_NAME", f"mail-test-{next(_names)}")
    secret = "http://localhost/password/reset/eyJzZWNyZXQiOiJ0b2tlbiJ9.abcdefSECRET"
    mail.send_mail(mail.Mail("inwoner@example.org", "Nieuw wachtwoord", f"Open {secret}"))
    queue = rq_queue()
    with caplog.at_level(logging.DEBUG):
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert len(mail.outbox) == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "SECRET" not in logged and "inwoner@example.org" not in logged
