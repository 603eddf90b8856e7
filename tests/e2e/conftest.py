"""Fixtures: one JupyterLab server and one headless Chromium per session, a page per test.

On a failed test every open page is saved to tests/artifacts/ (screenshot and console log),
next to the server log.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from .lab import ConsoleLog, JupyterServer, start_jupyter_server, stop_jupyter_server

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM = os.environ.get("GRANDTOUR_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    # WebGL without a GPU: SwiftShader, allowed explicitly.
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
]
VIEWPORT = {"width": 1280, "height": 900}

# Pages alive right now, with their console logs, so a failure can save all of them.
_OPEN_PAGES: dict[Page, ConsoleLog] = {}
_PHASE_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()
_SAVED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    item.stash.setdefault(_PHASE_REPORTS, {})[report.when] = report
    return report


def _failed(item: pytest.Item) -> bool:
    reports = item.stash.get(_PHASE_REPORTS, {})
    return any(report.failed for report in reports.values())


def _save_artifacts(item: pytest.Item) -> None:
    if item.stash.get(_SAVED, False):
        return
    item.stash[_SAVED] = True
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid.split("::", 1)[-1])
    for n, (page, log) in enumerate(list(_OPEN_PAGES.items())):
        suffix = f"-{n}" if n else ""
        try:
            page.screenshot(path=str(ARTIFACTS / f"{stem}{suffix}.png"), full_page=False, timeout=10_000)
        except Exception as error:  # the page may be what broke; keep the log anyway
            log.lines.append(f"[harness] screenshot failed: {error}")
        (ARTIFACTS / f"{stem}{suffix}.console.txt").write_text(log.text())


@pytest.fixture(autouse=True)
def _artifacts_on_failure(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if _failed(request.node) and _OPEN_PAGES:
        _save_artifacts(request.node)


@pytest.fixture(scope="session")
def jupyter_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterServer]:
    """A JupyterLab on 127.0.0.1 with private config/data/settings dirs; yields its handle."""
    workdir = tmp_path_factory.mktemp("jupyter")
    # The kernel must be this venv's Python, where grandtour is installed.
    server = start_jupyter_server(workdir, ARTIFACTS / "jupyter-server.log", python=sys.executable)
    try:
        yield server
    finally:
        stop_jupyter_server(server)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless, with SwiftShader WebGL."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture(scope="session")
def new_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """Factory for a page in its own browser context; all are closed at session end."""
    made: list[Page] = []

    def make() -> Page:
        context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        context.set_default_timeout(30_000)
        page = context.new_page()
        log = ConsoleLog()
        log.attach(page)
        _OPEN_PAGES[page] = log
        made.append(page)
        return page

    yield make
    for page in made:
        close_page(page)


def close_page(page: Page) -> None:
    """Close a page made by `new_page` and forget it."""
    _OPEN_PAGES.pop(page, None)
    try:
        page.context.close()
    except Exception:
        pass  # already gone with the browser


def console_log(page: Page) -> ConsoleLog:
    """The console log collected for a page made by `new_page`."""
    return _OPEN_PAGES[page]


@pytest.fixture
def page(new_page: Callable[[], Page], request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page (own context) for one test."""
    page = new_page()
    yield page
    if _failed(request.node):
        _save_artifacts(request.node)
    close_page(page)
