"""Browser tests: a live server on its own database, driven by Chromium through Playwright.

The live server is a separate app on a database of its own: a fresh PostgreSQL database
``bb_browser_<pid>`` when ``TEST_DATABASE_ADMIN_URL`` is set (dropped at the end), else a
temporary SQLite file. Its schema comes from the Alembic migrations and it holds the demo data,
committed for real: the browser's requests run in the server's own threads and transactions.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.browser import support

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


class QuietHandler(WSGIRequestHandler):
    """No access log: pytest would print every request of a failed test."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture(autouse=True)
def _db() -> Iterator[None]:
    """Overrides the root conftest's per-test transaction: that fixture swaps the global
    ``db.session`` for one bound to the other test database, which would also capture the live
    server's requests (they run in other threads, through the same ``db`` object)."""
    yield


def _database_url(tmp_dir: Path) -> tuple[str, Callable[[], None]]:
    """A fresh database for the live server, and how to remove it."""
    admin_url = os.environ.get("TEST_DATABASE_ADMIN_URL")
    if not admin_url:
        return f"sqlite:///{tmp_dir / 'browser.db'}", lambda: None
    name = f"bb_browser_{os.getpid()}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    url = sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from flask_migrate import upgrade

    from burgerbegroting.app import create_app
    from burgerbegroting.demo import seed
    from burgerbegroting.extensions import db

    url, drop = _database_url(tmp_path_factory.mktemp("browser"))
    try:
        # Static files cached for the length of a browser context: fewer requests per page.
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False,
                         MAIL_BACKEND="memory", SEND_FILE_MAX_AGE_DEFAULT=3600)
        with app.app_context():
            upgrade()
            seed()
            db.session.commit()
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    finally:
        drop()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    pw = sync_playwright().start()
    yield pw
    pw.stop()


def _empty_script(route: Route) -> None:
    route.fulfill(status=200, body="", content_type="text/javascript")


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    # For axe on pages loaded without JavaScript (see support._axe_violations); htmx stays out
    # so the DOM is the one a browser without JavaScript shows.
    axe_context = browser.new_context()
    axe_context.route("**/vendor/htmx.min.js", _empty_script)
    support.STATE.axe_page = axe_context.new_page()
    yield browser
    support.STATE.axe_page = None
    axe_context.close()
    browser.close()


@dataclass
class PageProblems:
    """What must never happen on any page: a 5xx, an uncaught script error, a CSP violation."""

    server_errors: list[str]
    script_errors: list[str]

    def check(self) -> None:
        assert not self.server_errors, f"server errors: {self.server_errors}"
        assert not self.script_errors, f"script errors or CSP violations: {self.script_errors}"


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, live_server: LiveServer) -> Iterator[NewPage]:
    """Open a page in a fresh browser context (own cookies): ``new_page(js=False,
    viewport={"width": 375, "height": 740}, bypass_csp=True)``."""
    opened: list[tuple[Page, PageProblems]] = []

    def open_page(js: bool = True, viewport: dict[str, int] | None = None, bypass_csp: bool = False) -> Page:
        options: dict[str, object] = {"base_url": live_server.url, "java_script_enabled": js,
                                      "bypass_csp": bypass_csp}
        if viewport is not None:
            options["viewport"] = viewport
        context = browser.new_context(**options)  # type: ignore[arg-type]
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        problems = PageProblems(server_errors=[], script_errors=[])
        page.on("response", lambda r: problems.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        page.on("pageerror", lambda e: problems.script_errors.append(str(e)))
        page.on("console", lambda m: problems.script_errors.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text else None)
        if not js:
            support.STATE.no_js_pages.add(id(page))
        opened.append((page, problems))
        return page

    yield open_page
    for page, _problems in opened:
        support.STATE.no_js_pages.discard(id(page))
        page.context.close()
    for _page, problems in opened:
        problems.check()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()


@pytest.fixture
def nojs_page(new_page: NewPage) -> Page:
    return new_page(js=False)


@pytest.fixture
def restore_demo_accounts(live_server: LiveServer) -> Iterator[None]:
    """Tests that change a demo account (its name, language or roles) put it back afterwards, so
    a failure halfway does not spill into other tests."""
    yield
    from burgerbegroting.auth.models import User, UserRole
    from burgerbegroting.demo import DEMO_ACCOUNTS
    from burgerbegroting.extensions import db

    with live_server.app.app_context():
        for email, name, roles in DEMO_ACCOUNTS:
            user = db.session.scalars(sa.select(User).where(User.email == email)).one()
            user.name = name
            user.locale = "nl"
            if sorted(user.role_names) != sorted(r.value for r in roles):
                user.roles.clear()
                db.session.flush()
                user.roles.extend(UserRole(role=r.value) for r in roles)
        db.session.commit()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    state = support.STATE
    if not state.pages_checked:
        return
    terminalreporter.section("axe")
    terminalreporter.write_line(f"{state.pages_checked} page views checked, {state.axe_runs} distinct pages run "
                                f"through axe in {state.axe_seconds:.1f} s")
    if not support.AXE_NOTES:
        return
    terminalreporter.write_line("Findings below 'serious' (not failing):")
    for (rule, impact), urls in sorted(support.AXE_NOTES.items()):
        terminalreporter.write_line(f"{rule} ({impact}): {len(urls)} page(s), e.g. {sorted(urls)[0]}")
