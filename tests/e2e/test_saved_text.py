"""User text stays text in a saved page, and the view's picture button saves a PNG."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import Page

from grandtour import Tour, save_html

from .page_host import mount, open_host, wait_frames, wire_state

pytestmark = pytest.mark.e2e

EVIL = '<img src=x onerror="window.__pwned=1">'
SCRIPT_BREAK = "</script><script>window.__pwned=2</script>"


def test_labels_and_handle_names_stay_text_in_saved_html(page: Page, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 6))
    labels = [EVIL if i % 3 == 0 else SCRIPT_BREAK if i % 3 == 1 else "plain" for i in range(300)]
    t = Tour(X, labels, class_handles=False, handles=[{"name": SCRIPT_BREAK, "indices": [0, 1, 2]}])
    path = save_html(tmp_path / "evil.html", t, title=EVIL)
    page.goto(path.resolve().as_uri())
    root = page.locator(".grandtour").first
    page.wait_for_function("() => document.querySelector('.grandtour')?.dataset.status === 'ready'", timeout=60_000)
    names = root.locator(".grandtour-legend-name").all_inner_texts()
    assert EVIL in names and SCRIPT_BREAK in names
    assert root.locator(".grandtour-handle-name").input_value() == SCRIPT_BREAK
    assert page.locator(".grandtour img").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_the_picture_button_saves_the_view_as_png(page: Page) -> None:
    X = np.random.default_rng(1).normal(size=(500, 8))
    open_host(page)
    mount(page, "m", wire_state(Tour(X, playing=False)))
    wait_frames(page, "#out0 .grandtour")
    with page.expect_download() as download:
        page.locator("#out0 button.grandtour-picture").click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == "grandtour.png"
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
