"""Benchmark of letters from an uploaded register (not a test).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/SCRATCH_DB JOB_QUEUE_URL=redis://127.0.0.1:PORT/0 \\
        .venv/bin/python bench/register_letters.py [--rows 5000] [--baseline]

Uses a scratch database (schema from the migrations; the bench rows are left there). Prints:
seconds from posting an N-row register CSV to the redirect to the job page (the request checks
the file and stores one job), seconds for a worker (RQ SimpleWorker, in this process) to make
the PDF and store entries and codes, the PDF's size and the process's peak memory.
Without JOB_QUEUE_URL the job runs inside the request (the demo), so the first figure is all.
--long: every name, street and city at its longest (a few accented letters; the biggest file);
--post-only: only the request (the job stays queued).
--baseline: only the check of the file (parse_register_csv), as the old synchronous request did
it before rendering.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000)
    parser.add_argument("--baseline", action="store_true")
    parser.add_argument("--long", action="store_true", help="rows at the longest allowed (200/200/100 characters)")
    parser.add_argument("--post-only", action="store_true", help="do not run the worker (the job stays queued)")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a scratch database.")

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from burgerbegroting.app import create_app
    from burgerbegroting.extensions import db
    from burgerbegroting.jobs.models import Job
    from burgerbegroting.voters.register_csv import parse_register_csv
    from tests.conftest import make_user
    from tests.voting import conftest as voting_fixtures

    voting_fixtures._counter = itertools.count(time.time_ns())  # unique round slugs in a reused database

    pad = (lambda text, width: (text + " Ééé " + "x" * width)[:width]) if args.long else (lambda text, _w: text)
    csv = "naam;straat;postcode;woonplaats\n" + "".join(
        f"{pad(f'Inwoner {i}', 200)};{pad(f'Dorpsstraat {i % 400 + 1}', 200)};"
        f"9999 {'ABCDEFGH'[i % 8]}{'KLMN'[i % 4]};{pad('Voorbeeldland', 100)}\n"
        for i in range(args.rows))
    data = csv.encode()
    print(f"register: {args.rows} rows, {len(data) / 1e6:.2f} MB")
    if args.baseline:
        started = time.perf_counter()
        parse_register_csv(data, max_rows=max(args.rows, 1))
        print(f"check of the file only: {time.perf_counter() - started:.2f} s")
        return
    app = create_app("development", MAX_LETTERS_PER_JOB=max(args.rows, 10_000), RATELIMIT_ENABLED=False,
                     WTF_CSRF_ENABLED=False)  # the bench client is not a browser
    with app.app_context():
        upgrade()
        round_, district, _p, _ = voting_fixtures.make_voting_round()
        email = f"bench-{time.time_ns()}@example.org"
        make_user(email, roles=("admin",), password="bench-password-123")
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": "bench-password-123"}).status_code == 303
        started = time.perf_counter()
        response = client.post(f"/beheer/rondes/{round_.id}/stemcodes/register",
                               data={"district": str(district.id),
                                     "file": (io.BytesIO(data), "register.csv")},
                               content_type="multipart/form-data")
        to_page = time.perf_counter() - started
        assert response.status_code == 303, (response.status_code, re.findall(r"<td[^>]*>([^<]+)", response.text)[:6],
                                              response.text[:2000])
        job_id = int(response.location.rsplit("/", 1)[1])
        print(f"POST to the job page: {to_page:.2f} s (HTTP {response.status_code}, queue: "
              f"{'RQ' if app.config['JOB_QUEUE_URL'] else 'none, ran inline'})")
        if args.post_only:
            return
        if app.config["JOB_QUEUE_URL"]:
            from rq import SimpleWorker

            from burgerbegroting.jobs.queue import rq_queue

            queue = rq_queue()
            started = time.perf_counter()
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
            print(f"worker, job to finished PDF: {time.perf_counter() - started:.1f} s")
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        assert job is not None
        size = db.session.scalar(sa.select(sa.func.length(Job.result)).where(Job.id == job_id)) or 0
        print(f"job {job.status} ({job.progress_done}/{job.progress_total}), PDF {size / 1e6:.1f} MB, "
              f"payload cleared: {job.payload_json is None}")
        print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
