"""The log of a whole vote (code, ballot, cast, receipt) holds neither the code, nor the
receipt, nor the choices: only method, path, status and timing per request."""

from __future__ import annotations

import json
import re

from tests.unit.test_logs import entries, log_lines  # noqa: F401  (fixture)
from tests.voting.conftest import make_voting_round
from tests.voting.test_web_vote import ballot_token, new_code, start
from tests.web.conftest import html

ALLOWED_KEYS = {"time", "level", "logger", "message", "request_id", "method", "path", "status", "duration_ms",
                "endpoint"}


def test_log_of_a_vote_has_no_code_receipt_or_choices(app, client, log_lines):  # noqa: F811
    import logging

    logging.getLogger().setLevel(logging.DEBUG)  # everything any library logs, too
    round_, district, proposals, _ = make_voting_round()
    code = new_code(round_, district)
    assert start(client, round_, code).status_code == 303
    token = ballot_token(client, round_)
    choices = [str(proposals[0].id), str(proposals[2].id)]
    review = client.post(f"/stemmen/{round_.slug}/stembiljet", data={"choice": choices, "csrf_token": token})
    assert review.status_code == 200
    cast = client.post(f"/stemmen/{round_.slug}/uitbrengen", data={"choice": choices, "csrf_token": token})
    assert cast.status_code == 303
    receipt = re.search(r'id="receipt">([A-Z0-9-]+)<', html(client.get(f"/stemmen/{round_.slug}/bewijs")))
    assert receipt
    lines = entries(log_lines)
    requests = [e for e in lines if e["logger"] == "burgerbegroting.request"]
    assert [(e["method"], e["path"], e["status"]) for e in requests][-2:] == [
        ("POST", f"/stemmen/{round_.slug}/uitbrengen", 303), ("GET", f"/stemmen/{round_.slug}/bewijs", 200)]
    text = log_lines.getvalue()
    plain = code.replace("-", "")
    for secret in (code, plain, plain.lower(), receipt.group(1), receipt.group(1).replace("-", ""), token):
        assert secret not in text
    for proposal in proposals:
        assert proposal.title not in text
    assert "choice" not in text
    for entry in lines:
        assert set(entry) <= ALLOWED_KEYS | {"exception"}, entry
        assert json.dumps(entry)  # each line is one JSON object
