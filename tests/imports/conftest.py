"""Helpers for the import tests: the ``ssda903.md`` §7 worked example and a one-call import."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from imports.models import ImportBatch
from imports.services import IncomingFile, import_batch_create, import_batch_run
from organisations.models import LocalAuthority

# ssda903.md §7, exactly as printed (collection year 2024/25).
HEADER = """CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
A1001,M,14/06/2012,WBRI,T938100000011,,
B2002,F,05/09/2021,MWBC,UN1,0,
C3003,F,22/01/2010,BAFR,H938100000027,0,
"""
EPISODES_COLUMNS = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)
EPISODES = f"""{EPISODES_COLUMNS}
A1001,03/02/2023,S,C1,N1,U6,PR1,19/07/2024,X1,CREQB,AA1 1AA,AA2 2AB,SC900001
A1001,19/07/2024,P,C1,N1,K2,PR4,02/10/2024,X1,,AA1 1AA,BB3 3BC,1900002
A1001,02/10/2024,L,C2,N1,K2,PR4,,,,AA1 1AA,BB3 3BC,1900002
B2002,20/05/2023,L,E1,N1,U6,PR4,08/07/2024,X1,CARPL,CC4 4CD,CC5 5DE,1900003
B2002,08/07/2024,P,E1,N1,A6,PR1,14/02/2025,E12,,CC4 4CD,DD6 6EF,XXXXXXX
C3003,16/04/2024,S,V2,N4,U3,PR1,30/06/2024,X1,CREQO,EE7 7FG,EE8 8GH,SC900001
C3003,30/06/2024,B,C1,N4,U6,PR4,21/01/2025,X1,PLACE,EE7 7FG,FF9 9HJ,1900004
C3003,21/01/2025,T,C1,N4,U4,PR4,,,,EE7 7FG,FF9 9HJ,1900004
"""
AD1 = """CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR
B2002,05/09/2021,10/03/2023,20/06/2024,0,2,MF,L11
"""
PLACED_ADOPTION = """CHILD,DOB,DATE_PLACED,DATE_PLACED_CEASED,REASON_PLACED_CEASED
B2002,05/09/2021,10/03/2023,,
"""
PREV_PERM = """CHILD,DOB,PREV_PERM,LA_PERM,DATE_PERM
C3003,22/01/2010,Z1,,
"""
WORKED_EXAMPLE = {
    "Header.csv": HEADER,
    "Episodes.csv": EPISODES,
    "AD1.csv": AD1,
    "PlacedAdoption.csv": PLACED_ADOPTION,
    "PrevPerm.csv": PREV_PERM,
}


def import_903(
    la: LocalAuthority,
    files: dict[str, str | bytes],
    *,
    year: int | None = 2025,
    dry_run: bool = False,
) -> ImportBatch:
    """Import in-memory files as one SSDA903 batch and return the finished batch."""
    incoming = [
        IncomingFile(
            name=name,
            handle=io.BytesIO(content.encode("utf-8") if isinstance(content, str) else content),
        )
        for name, content in files.items()
    ]
    batch = import_batch_create(
        la=la, format_name="ssda903", files=incoming, year=year, dry_run=dry_run
    )
    return import_batch_run(batch_id=batch.pk)


def issues(batch: ImportBatch, severity: str | None = None) -> list:
    qs = batch.issues.order_by("id")
    return list(qs.filter(severity=severity) if severity else qs)


def issue_kinds(batch: ImportBatch, severity: str | None = None) -> set[str]:
    return {i.kind for i in issues(batch, severity)}


def write_files(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def la(db) -> LocalAuthority:
    return LocalAuthority.objects.get(code="873")


@pytest.fixture
def other_la(db) -> LocalAuthority:
    return LocalAuthority.objects.get(code="874")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Stored uploads go to a temporary folder, never the demo's var/."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
