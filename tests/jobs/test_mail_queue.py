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
