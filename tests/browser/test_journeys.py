"""What a person does on the site: Debian's Chromium against gunicorn (see conftest.py).

Each journey takes a 1366×768 screenshot of every main page it reaches into
``test-output/screenshots/``.
"""

from __future__ import annotations

import io
import re
import zipfile

from pypdf import PdfReader

from organisations.demo.users import DEMO_USERS

PASSWORDS = {user.username: user.password for user in DEMO_USERS}


def _option_value(page, select: str, contains: str) -> str:
    options = page.eval_on_selector_all(
        f"{select} option", "os => os.map(o => [o.value, o.textContent])"
    )
    return next(value for value, label in options if contains in label or value == contains)


def _status(page) -> str:
    return page.inner_text("#batch-status h2").removeprefix("Status:").strip()


def test_admin_uploads_a_903_zip_watches_progress_then_reads_a_bad_files_row_errors(
    visit, live_site, tmp_path
):
    # A zip of the authority's own SSDA903 files, written by the 903 exporter.
    export_dir = tmp_path / "903"
    live_site.manage("export_extract", "--la", "873", "--format", "ssda903", "--year", "2025",
                     "-o", str(export_dir))  # fmt: skip
    csvs = sorted(export_dir.glob("*.csv"))
    assert len(csvs) >= 3
    zip_path = tmp_path / "ssda903_2025.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        for csv in csvs:
            archive.write(csv, csv.name)

    admin = visit("admin")
    admin.login("admin")
    admin.goto("/imports/upload/")
    admin.screenshot("upload")
    page = admin.page
    page.select_option("#id_la", _option_value(page, "#id_la", "873"))
    page.select_option("#id_format", "ssda903")
    page.fill("#id_year", "2025")
    page.set_input_files("#id_files", str(zip_path))
    page.click("button:has-text('Upload and check')")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    # htmx polls the progress partial every second until the batch is final.
    seen = {_status(page)}
    for _ in range(240):
        status = _status(page)
        seen.add(status)
        if status in {"Done", "Rejected", "Failed"}:
            break
        page.wait_for_timeout(500)
    assert _status(page) == "Done", (seen, page.inner_text("#batch-status"), live_site.logs())
    assert "rows read" in page.inner_text("#batch-status")
    admin.screenshot("import-batch-done")

    page.click("a:has-text('Import history')")
    page.wait_for_url(re.compile(r"/imports/$"))
    assert "Done" in page.inner_text("main")
    admin.screenshot("import-history")

    # A bad file: the episodes table with an impossible date and an unknown legal status.
    episodes = next(p for p in csvs if "episode" in p.name.lower())
    lines = episodes.read_text().splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("DECOM")] = "31/02/2024"
    row[header.index("LS")] = "ZZ"
    bad = tmp_path / episodes.name
    bad.write_text("\n".join([lines[0], ",".join(row)]) + "\n")
    admin.goto("/imports/upload/")
    page.select_option("#id_la", _option_value(page, "#id_la", "873"))
    page.select_option("#id_format", "ssda903")
    page.fill("#id_year", "2025")
    page.set_input_files("#id_files", str(bad))
    page.click("button:has-text('Upload and check')")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    for _ in range(120):
        if _status(page) in {"Done", "Rejected", "Failed"}:
            break
        page.wait_for_timeout(500)
    assert _status(page) == "Rejected", page.inner_text("#batch-status")
    table = page.inner_text("#batch-status table:has(caption:has-text('Errors and warnings'))")
    assert "Error" in table
    assert "DECOM" in table and "LS" in table, table
    assert re.search(r"\t2\t", table), table  # the row number of the bad row (after the header)
    admin.screenshot("import-batch-rejected")


def test_committee_lead_changes_month_and_authority_comments_publishes_and_downloads_the_pdf(
    visit,
):
    lead = visit("committee")
    lead.login("committee")
    lead.goto("/la/873/scorecard/")
    page = lead.page
    lead.screenshot("scorecard")
    months = page.eval_on_selector_all("#month-picker option", "os => os.map(o => o.value)")
    assert len(months) >= 2
    earlier = months[1] if months[0] == page.input_value("#month-picker") else months[0]
    page.select_option("#month-picker", earlier)
    page.click("button:has-text('Show month')")
    page.wait_for_url(re.compile(rf"/la/873/scorecard/{earlier}/$"))
    page.select_option("#authority-picker", "874")
    page.click("button:has-text('Show authority')")
    page.wait_for_url(re.compile(r"/la/874/scorecard/"))
    # The same closed month when 874 has it, else 874's month before its latest.
    months = page.eval_on_selector_all("#month-picker option", "os => os.map(o => o.value)")
    target = earlier if earlier in months else months[1]
    month = re.search(r"/scorecard/(\d{4}-\d{2})/", page.url)
    if month is None or month.group(1) != target:  # the switch went to the latest month
        page.select_option("#month-picker", target)
        page.click("button:has-text('Show month')")
        page.wait_for_url(re.compile(rf"/la/874/scorecard/{target}/$"))
    month_value = re.search(r"/scorecard/(\d{4}-\d{2})/", page.url).group(1)
    month_label = page.eval_on_selector("#month-picker", "s => s.selectedOptions[0].textContent")
    authority = page.eval_on_selector(
        "#authority-picker", "s => s.selectedOptions[0].textContent"
    ).strip()

    page.click("a:has-text('Write commentary') >> nth=0")
    page.wait_for_url(re.compile(r"/commentary/"))
    lead.screenshot("commentary")
    text = "Stability improved after the autumn recruitment of foster carers (browser test)."
    page.fill("#id_text", text)
    page.click("button:has-text('Save commentary')")
    page.wait_for_url(re.compile(rf"/la/874/scorecard/{month_value}/"))
    assert text in page.inner_text("main")

    page.click("button:has-text('Publish the')")
    page.wait_for_load_state()
    assert "Download the published scorecard (PDF)" in page.inner_text("main")
    with page.expect_download() as download_info:
        page.click("a:has-text('Download the published scorecard (PDF)')")
    data = download_info.value.path().read_bytes()
    assert data.startswith(b"%PDF-")
    pdf_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    pdf_text = re.sub(r"\s+", " ", pdf_text)
    assert authority.split(" (")[0] in pdf_text or "874" in pdf_text, pdf_text[:500]
    assert month_label.strip() in pdf_text, (month_label, pdf_text[:500])
    assert "autumn recruitment of foster carers" in pdf_text


def test_team_manager_works_the_worklist_exports_it_and_cannot_open_another_teams_child(visit):
    # manager2's first child: the child that manager (another team) must not see.
    other = visit("manager2")
    other.login("manager2")
    other_child = other.page.eval_on_selector(
        "a[href^='/children/']", "a => a.getAttribute('href')"
    ).split("?")[0]

    manager = visit("manager")
    manager.login("manager")
    page = manager.page
    assert "/my-team/" in page.url  # a team manager lands on their team's worklist
    manager.screenshot("worklist")

    # An overdue list, sorted by days overdue with the "Sort by" control, both ways.
    def days_overdue_shown() -> list[int]:
        return [
            int(m.group(1))
            for cell in page.locator(
                "table.cps-worklist-table tbody tr td:has(strong.govuk-tag)"
            ).all_inner_texts()
            if (m := re.search(r"(\d+)", cell))
        ]

    page.select_option("#filter-kind", index=1)
    page.wait_for_load_state("networkidle")
    page.select_option("#filter-sort", "overdue_least")
    page.wait_for_url(re.compile(r"sort=overdue_least"))
    page.wait_for_load_state("networkidle")
    least_first = days_overdue_shown()
    assert least_first == sorted(least_first), least_first
    page.select_option("#filter-sort", "overdue")
    page.wait_for_url(lambda url: "sort=overdue_least" not in url)
    page.wait_for_load_state("networkidle")
    most_first = days_overdue_shown()
    assert len(most_first) > 1 and most_first == sorted(most_first, reverse=True), most_first

    workers = page.eval_on_selector_all(
        "#filter-worker option", "os => os.map(o => [o.value, o.textContent])"
    )
    named = [(value, name) for value, name in workers if value and value != "none"]
    assert named, workers
    worker_value, worker_name = named[0]
    manager.goto("/my-team/")
    page.select_option("#filter-worker", worker_value)
    page.wait_for_url(re.compile(rf"worker={worker_value}"))
    page.wait_for_load_state("networkidle")
    shown_workers = set(
        page.evaluate(
            """() => [...document.querySelectorAll('section[aria-labelledby^="list-"] table')]
                .flatMap(t => {
                const heads = [...t.querySelectorAll('thead th')].map(h => h.textContent.trim());
                const at = heads.indexOf('Allocated worker');
                if (at < 0) return [];
                return [...t.querySelectorAll('tbody tr')].map(
                    tr => tr.children[at].textContent.trim());
            })"""
        )
    )
    assert shown_workers <= {worker_name.strip()}, (shown_workers, worker_name)

    with page.expect_download() as download_info:
        page.click("a:has-text('CSV') >> nth=0")
    csv_text = download_info.value.path().read_text(encoding="utf-8-sig")
    assert csv_text.count("\n") >= 1 and "," in csv_text.splitlines()[0]

    child_link = page.locator("a[href^='/children/']").first
    if child_link.count() == 0:
        page.select_option("#filter-worker", "")
        page.wait_for_load_state("networkidle")
        child_link = page.locator("a[href^='/children/']").first
    child_link.click()
    page.wait_for_url(re.compile(r"/children/\d+/"))
    assert page.locator("h1").count() == 1
    manager.screenshot("child")

    response = manager.goto(other_child)
    assert response.status == 404
    assert "not found" in page.inner_text("body").lower()


def test_anonymous_visitors_are_sent_to_sign_in(visit):
    anonymous = visit()
    for path in ("/", "/la/873/scorecard/", "/my-team/", "/imports/upload/"):
        anonymous.goto(path)
        assert "/login/" in anonymous.page.url, path
        assert anonymous.page.locator("h1").inner_text() == "Sign in"
    assert anonymous.stylesheet_applied()
    anonymous.screenshot("login")


def test_a_locked_out_user_sees_the_lockout_message(visit, live_site):
    visitor = visit("manager2")
    page = visitor.page
    for _ in range(6):
        visitor.goto("/login/")
        page.fill("#id_username", "manager2")
        page.fill("#id_password", "not the password")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    assert "locked" in page.inner_text("main").lower(), page.inner_text("body")
    visitor.screenshot("locked-out")
    # Even the right password is refused while the lockout lasts.
    visitor.goto("/login/")
    page.fill("#id_username", "manager2")
    page.fill("#id_password", PASSWORDS["manager2"])
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "locked" in page.inner_text("main").lower()
    live_site.manage("axes_reset_username", "manager2")
