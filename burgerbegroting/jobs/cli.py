"""``flask worker`` (runs queued jobs and its own housekeeping, jobs/housekeeping.py) and
``flask jobs purge`` (deletes old result files)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from burgerbegroting.extensions import db
from burgerbegroting.jobs import queue

jobs_cli = AppGroup("jobs", help="Background jobs.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run background jobs from the queue in JOB_QUEUE_URL (with this app's configuration)."""
    if not queue.queue_url():
        raise click.ClickException("JOB_QUEUE_URL is empty: jobs run inside the web requests, no worker needed.")
    from rq import Worker

    from burgerbegroting.core.timeutil import utcnow
    from burgerbegroting.jobs import housekeeping

    rq_queue = queue.rq_queue()
    housekeeping.schedule(utcnow())  # the first tick; each tick schedules the next
    # The work runs in this process's app context (db, config, templates for the PDF). The
    # scheduler moves the housekeeping ticks into the queue when they are due.
    Worker([rq_queue], connection=rq_queue.connection, name=None).work(burst=burst, with_scheduler=True)


@jobs_cli.command("purge")
def purge() -> None:
    """Delete result files older than JOB_RESULT_HOURS and mark jobs whose worker died."""
    removed = queue.purge_results()
    interrupted = queue.mark_interrupted()
    db.session.commit()
    click.echo(f"Deleted {removed} result file(s); marked {interrupted} interrupted job(s) as failed.")
    current_app.logger.info("jobs purge: %d files, %d interrupted", removed, interrupted)


def init_app(app: Flask) -> None:
    app.cli.add_command(worker)
    app.cli.add_command(jobs_cli)
