"""Hostile XML is refused before it can do harm, with a clear error, and nothing is written.

Each test uploads a real attack file as a 903 return: the two entity bombs, external
entities naming a local file and a web address, a bare DTD, an outside DTD and a parameter
entity. The web addresses point at a server the test runs, which must never be asked for
anything: nothing named inside an upload is fetched.
"""

from __future__ import annotations

import http.server
import io
import threading
import time
import zipfile
from collections.abc import Iterator

import pytest

from children.models import Child, Episode
from imports.formats.ssda903_xml import (
    MSG_DTD,
    MSG_ENTITY,
    MSG_EXTERNAL_DTD,
    MSG_EXTERNAL_ENTITY,
)
from imports.models import ImportBatch
from tests.imports.conftest import import_903, issues

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<EXPSSDA903><CHILD><HEADER><CHILDID>&lol9;</CHILDID></HEADER></CHILD></EXPSSDA903>
"""

# One 100,000-character entity used 100,000 times: 10 GB once expanded, from a 500 KB file.
QUADRATIC_BLOWUP = (
    '<?xml version="1.0"?>\n<!DOCTYPE EXPSSDA903 [<!ENTITY a "' + "a" * 100_000 + '">]>\n'
    "<EXPSSDA903><CHILD><HEADER><CHILDID>" + "&a;" * 100_000 + "</CHILDID></HEADER></CHILD>"
    "</EXPSSDA903>\n"
)

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 [<!ENTITY xxe SYSTEM "{where}">]>
<EXPSSDA903><CHILD><HEADER><CHILDID>&xxe;</CHILDID><SEX>M</SEX><DOB>01/01/2010</DOB>
<ETHNIC>WBRI</ETHNIC><UPN>UN1</UPN></HEADER></CHILD></EXPSSDA903>
"""

PLAIN_DTD = """<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 [<!ELEMENT EXPSSDA903 (CHILD*)>]>
<EXPSSDA903/>
"""

OUTSIDE_DTD = """<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 SYSTEM "{where}">
<EXPSSDA903/>
"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE EXPSSDA903 [<!ENTITY % remote SYSTEM "{where}"> %remote;]>
<EXPSSDA903/>
"""


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A web server on a free local port: (its address, the paths anyone asked it for)."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            asked.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY leak "LEAKED">')

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def _refused(la, xml: str) -> tuple[str, float]:
    """Upload the file as a 903 return; its one error message, and the seconds it took."""
    started = time.perf_counter()
    batch = import_903(la, {"SSDA903_2025.xml": xml})
    elapsed = time.perf_counter() - started
    assert batch.status == ImportBatch.Status.REJECTED
    (error,) = issues(batch, "error")
    assert error.kind == "unreadable_file" and error.file_name == "SSDA903_2025.xml"
    assert not Child.objects.exists() and not Episode.objects.exists()
    return error.message, elapsed


def test_the_billion_laughs_bomb_is_refused(la):
    message, elapsed = _refused(la, BILLION_LAUGHS)

    assert message == MSG_ENTITY.format(name="lol")
    assert "lollol" not in message and elapsed < 5


def test_the_quadratic_blowup_bomb_is_refused(la):
    assert len(QUADRATIC_BLOWUP) < 600_000

    message, elapsed = _refused(la, QUADRATIC_BLOWUP)

    assert message == MSG_ENTITY.format(name="a") and elapsed < 5


def test_an_external_entity_naming_a_file_is_refused_and_the_file_never_read(la, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-FROM-THE-SERVER")

    message, _ = _refused(la, EXTERNAL_ENTITY.format(where=secret.as_uri()))

    assert message == MSG_EXTERNAL_ENTITY.format(name="xxe", where=secret.as_uri())
    batch = ImportBatch.objects.get()
    assert "SECRET" not in str(list(batch.issues.values())) + str(batch.issue_summary)


def test_an_external_entity_naming_a_web_address_is_refused_and_never_fetched(la, listener):
    address, asked = listener
    where = f"{address}/steal"

    message, _ = _refused(la, EXTERNAL_ENTITY.format(where=where))

    assert message == MSG_EXTERNAL_ENTITY.format(name="xxe", where=where)
    assert asked == []


def test_a_dtd_is_refused_even_without_entities(la):
    message, _ = _refused(la, PLAIN_DTD)

    assert message == MSG_DTD.format(name="EXPSSDA903")


def test_an_outside_dtd_is_refused_and_never_fetched(la, listener):
    address, asked = listener

    message, _ = _refused(la, OUTSIDE_DTD.format(where=f"{address}/evil.dtd"))

    assert message == MSG_EXTERNAL_DTD.format(where=f"{address}/evil.dtd")
    assert asked == []


def test_a_parameter_entity_is_refused_and_never_fetched(la, listener):
    address, asked = listener

    message, _ = _refused(la, PARAMETER_ENTITY.format(where=f"{address}/p.dtd"))

    assert message == MSG_EXTERNAL_ENTITY.format(name="remote", where=f"{address}/p.dtd")
    assert asked == []


def test_a_hostile_file_inside_a_zip_is_refused_the_same_way(la):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("SSDA903_2025/return.xml", QUADRATIC_BLOWUP)

    batch = import_903(la, {"return.zip": buffer.getvalue()})

    (error,) = issues(batch, "error")
    assert error.message == MSG_ENTITY.format(name="a")
    assert error.file_name == "return.zip › SSDA903_2025/return.xml"
