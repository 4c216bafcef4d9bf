"""Background jobs: long work (letter batches, counting a big round) outside the request.

``queue.start`` stores a ``Job`` row and hands its id to RQ (Redis) when ``JOB_QUEUE_URL`` is
set, or runs it at once in the request when it is empty (the SQLite demo). ``runner.run_job``
does the work in either case; the ``Job`` row is what the admin's progress page shows.
"""
