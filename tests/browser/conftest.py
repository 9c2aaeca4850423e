"""A live site for the browser tests: its own database, demo data, gunicorn and a Celery worker.

Why not pytest-django's ``live_server``: it makes every test transactional, and the flush
at the end of each test would wipe the demo data that all browser tests share (generating it
costs seconds, so it is made once per session). It would also leave demo rows in the test
database that the rest of the suite expects empty. So the site gets a database of its own:

- PostgreSQL (``DATABASE_URL`` set): ``test_<name>_browser`` on the same server, created
  and dropped here; SQLite: a file in the session's temporary folder.
- ``manage.py migrate`` and ``manage.py make_demo_data --scale 0.05`` fill it once.
- gunicorn serves it on a free loopback port with production settings (``DEBUG=0``) except
  for plain HTTP (``SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0``, as the README's "Running in
  production" documents), and static files come from ``collectstatic`` through WhiteNoise.
- With a broker (``REDIS_URL``), a real ``celery worker`` on a queue of its own runs the
  imports, recomputes and PDF renders; without one the server runs tasks eagerly.

Chromium is Debian's (``/usr/bin/chromium``, installed by ``scripts/bootstrap.sh``), driven
by Playwright; a browser download by Playwright itself cannot work here.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from urllib.request import urlopen

import pytest
from django.conf import settings as django_settings

from organisations.demo.users import DEMO_USERS

BASE_DIR = Path(django_settings.BASE_DIR)
OUTPUT_DIR = BASE_DIR / "test-output"
SCREENSHOT_DIR = OUTPUT_DIR / "screenshots"
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
DEMO_TODAY = "2025-10-15"
DEMO_SCALE = "0.05"
START_TIMEOUT_SECONDS = 120
WCAG_22_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# The demo users' public, synthetic-data passwords (organisations/demo/users.py).
PASSWORDS = {user.username: user.password for user in DEMO_USERS}


def pytest_collection_modifyitems(config, items) -> None:
    """Every test in this folder is a browser test (``-m "not browser"`` leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveSite:
    """The running site: its address and what the tests need to reach around it."""

    url: str
    env: dict[str, str]
    log_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def manage(self, *args: str) -> str:
        """Run ``manage.py`` against the site's database (setup and checks only)."""
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n" + "\n".join(p.read_text(errors="replace").splitlines()[-40:])
            for p in sorted(self.log_dir.glob("*.log"))
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        process.wait(timeout=15)


def _postgres_admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(sql)


def _site_database_url(tmp_dir: Path) -> tuple[str, str | None]:
    """(DATABASE_URL for the site, PostgreSQL database name to drop afterwards or None)."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(configured)
        name = f"test_{parts.path.lstrip('/') or 'cps'}_browser"
        url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))
        _postgres_admin(
            url,
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        )
        _postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
        _postgres_admin(url, f'CREATE DATABASE "{name}"')
        return url, name
    return f"sqlite:///{tmp_dir / 'browser.sqlite3'}", None


def _wait_until_up(site: LiveSite, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{site.logs()}", pytrace=False)
        try:
            with urlopen(f"{site.url}/health/", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"gunicorn did not answer in {START_TIMEOUT_SECONDS}s:\n{site.logs()}")
        time.sleep(0.3)


def _wait_for_worker(nodename: str, process: subprocess.Popen, site: LiveSite) -> None:
    from config.celery import app as celery_app

    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not celery_app.control.ping(destination=[nodename], timeout=1.0):
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the browser tests' Celery worker did not start:\n{site.logs()}")


@pytest.fixture(scope="session")
def live_site(tmp_path_factory) -> Iterator[LiveSite]:
    """Start the site once per session (see the module docstring)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make bootstrap` (scripts/bootstrap.sh)")
    tmp_dir = tmp_path_factory.mktemp("browser-site")
    log_dir = tmp_dir / "logs"
    log_dir.mkdir()
    database_url, pg_name = _site_database_url(tmp_dir)
    broker = django_settings.CELERY_BROKER_URL
    queue = f"cps-browser-{uuid.uuid4().hex[:10]}"
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_dir / "data"),
        "STATIC_ROOT": str(tmp_dir / "static"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "SECURE_HSTS_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    if broker:
        env.update(
            CELERY_BROKER_URL=broker,
            CELERY_RESULT_BACKEND=django_settings.CELERY_RESULT_BACKEND or broker,
            CELERY_TASK_ALWAYS_EAGER="0",
            # tests/browser/site_settings.py routes every task to this run's own queue.
            DJANGO_SETTINGS_MODULE="tests.browser.site_settings",
            BROWSER_TEST_QUEUE=queue,
            PYTHONPATH=str(BASE_DIR),
        )
    else:
        env["CELERY_TASK_ALWAYS_EAGER"] = "1"
    site = LiveSite(url=f"http://127.0.0.1:{port}", env=env, log_dir=log_dir)
    try:
        # collectstatic needs no database: it runs beside the migrations and the demo data.
        collectstatic = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            stdout=(log_dir / "collectstatic.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        site.processes.append(collectstatic)
        site.manage("migrate", "--noinput", "-v", "0")
        gunicorn = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "120",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=(log_dir / "gunicorn.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        site.processes.append(gunicorn)
        worker = None
        if broker:
            nodename = f"{queue}@localhost"
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "--app",
                    "config",
                    "worker",
                    "--pool",
                    "solo",
                    "--queues",
                    queue,
                    "--hostname",
                    nodename,
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel",
                    "INFO",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=(log_dir / "worker.log").open("wb"),
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            site.processes.append(worker)
        # The server and the worker start while the demo data are generated.
        site.manage("make_demo_data", "--seed", "1", "--scale", DEMO_SCALE, "--today", DEMO_TODAY)
        if collectstatic.wait(timeout=START_TIMEOUT_SECONDS) != 0:
            pytest.fail(f"collectstatic failed:\n{site.logs()}", pytrace=False)
        if worker is not None:
            _wait_for_worker(nodename, worker, site)
        _wait_until_up(site, gunicorn)
        yield site
    finally:
        for process in site.processes:
            _stop(process)
        if pg_name:
            _postgres_admin(
                database_url,
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                f" WHERE datname = '{pg_name}'",
            )
            _postgres_admin(database_url, f'DROP DATABASE IF EXISTS "{pg_name}"')


@pytest.fixture(scope="package")
def browser():
    """Chromium for the browser tests only: Playwright's sync API runs an event loop in
    this thread while it is open, and Django refuses ORM calls under a running loop, so
    the browser closes when the browser tests are done (package scope) rather than at
    the end of the session, where it broke later database tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visitor:
    """One person's browser context on the live site, with the checks every page shares."""

    def __init__(self, site: LiveSite, context, name: str) -> None:
        self.site = site
        self.context = context
        self.name = name
        self.page = context.new_page()
        self.failed_static: list[str] = []
        self.page.on("response", self._watch)

    def _watch(self, response) -> None:
        if "/static/" in response.url and response.status >= 400:
            self.failed_static.append(f"{response.status} {response.url}")

    def goto(self, path: str):
        response = self.page.goto(self.site.url + path)
        assert not self.failed_static, self.failed_static
        return response

    def login(self, username: str) -> None:
        self.goto("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORDS[username])
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login/" not in self.page.url, self.page.inner_text("main")

    def screenshot(self, name: str) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def stylesheet_applied(self) -> bool:
        """GOV.UK Frontend's CSS is loaded when the body font is GDS Transport or its fallback."""
        return bool(
            self.page.evaluate(
                "() => getComputedStyle(document.querySelector('.govuk-header') || document.body)"
                ".fontFamily.length > 0 && document.styleSheets.length > 0"
            )
        )

    def axe_violations(self) -> list[dict]:
        """axe-core's WCAG 2.2 AA violations on the current page (injected past the CSP:
        Playwright's evaluate is not a page script, so no inline script is needed)."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            self.page.evaluate(AXE_JS.read_text())
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_22_AA_TAGS,
        )
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
            }
            for v in result["violations"]
        ]


@pytest.fixture
def visit(live_site, browser) -> Iterator:
    """``visit(name)``: a fresh browser context (own cookies) at 1366×768; closed afterwards."""
    contexts = []

    def open_visitor(name: str = "anonymous") -> Visitor:
        context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        context.set_default_timeout(30_000)
        contexts.append(context)
        return Visitor(live_site, context, name)

    yield open_visitor
    for context in contexts:
        context.close()
