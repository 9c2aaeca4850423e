"""A real Celery worker on Redis recomputes the snapshots after an SSDA903 import commits."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from imports.models import ImportBatch
from imports.services import IncomingFile, import_batch_create, import_batch_run
from organisations.reference import authority_get
from scorecards.models import RecomputeRun
from scorecards.selectors import snapshot_current_get, snapshot_export

HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
A1001,M,14/06/2012,WBRI,T938100000011,,
C3003,F,22/01/2010,BAFR,H938100000027,0,
"""
EPISODES_HEADER = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
EPISODES = f"""{EPISODES_HEADER}
A1001,03/02/2023,S,C1,N1,U6,PR1,19/07/2024,X1,CREQB,AA1 1AA,AA2 2AB,SC900001
A1001,19/07/2024,P,C1,N1,K2,PR4,02/10/2024,X1,,AA1 1AA,BB3 3BC,1900002
A1001,02/10/2024,L,C2,N1,K2,PR4,,,,AA1 1AA,BB3 3BC,1900002
C3003,16/04/2024,S,V2,N4,U3,PR1,30/06/2024,X1,CREQO,EE7 7FG,EE8 8GH,SC900001
C3003,30/06/2024,B,C1,N4,U6,PR4,21/01/2025,X1,PLACE,EE7 7FG,FF9 9HJ,1900004
C3003,21/01/2025,T,C1,N4,U4,PR4,,,,EE7 7FG,FF9 9HJ,1900004
"""


def _wait_for(predicate, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    return None


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_import_commit_has_the_worker_recompute_the_snapshots(
    celery_worker_process, tmp_path: Path
):
    la = authority_get("873")
    (tmp_path / "SSDA903_2024-25_header.csv").write_text(HEADER)
    (tmp_path / "SSDA903_2024-25_episodes.csv").write_text(EPISODES)
    files = [IncomingFile(name=p.name, path=p) for p in sorted(tmp_path.glob("*.csv"))]

    batch = import_batch_create(la=la, format_name="ssda903", files=files, year=2025)
    batch = import_batch_run(batch_id=batch.pk)  # commits, then queues the recompute

    assert batch.status == ImportBatch.Status.DONE, batch.message
    run = _wait_for(
        lambda: RecomputeRun.objects.filter(la=la, batch=batch, status="done").first(), 120
    )
    assert run is not None, celery_worker_process.log_tail()

    # Earliest changed record: 3 Feb 2023 (A1001's open episode, repeated from last year);
    # the first return held is 2024/25, so the recompute starts on 1 April 2024.
    assert batch.earliest_changed_date == date(2023, 2, 3)
    assert run.first_month == date(2024, 4, 1)
    assert run.months_done == run.months_total > 1
    march = snapshot_current_get(la=la, month=date(2025, 3, 1))
    assert march is not None and not march.month_to_date
    payload = snapshot_export(la=la, month=date(2025, 3, 1))
    # ssda903.md §7: looked after at 31 March 2025 A1001 and C3003; C3003 started in the year.
    assert payload["indicators"]["cla_count"] == {"at_e": {"value": 2}}
    assert payload["indicators"]["cla_started"]["ytd"] == {"value": 1}
    assert payload["batch_ids"] == [batch.pk]
