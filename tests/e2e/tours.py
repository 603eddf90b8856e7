"""Reading tours in a JupyterLab notebook: their roots, their pixels, their stillness, the kernel."""

from __future__ import annotations

import base64
import time
from dataclasses import dataclass

from playwright.sync_api import Locator, Page

from .lab import Notebook
from .pixels import Image, read_png


@dataclass
class NotebookTours:
    notebook: Notebook
    page: Page

    def root(self, cell: int, index: int = 0) -> Locator:
        return self.notebook.cell_output_locator(cell).locator("div.grandtour").nth(index)

    def canvases(self, *roots: Locator) -> list[Image]:
        """The canvases' own pixels, read in one go (the same instant for all)."""
        handles = [r.locator("canvas.grandtour-canvas").element_handle() for r in roots]
        urls = self.page.evaluate("cs => cs.map(c => c.toDataURL('image/png'))", handles)
        return [read_png(base64.b64decode(u.split(",", 1)[1])) for u in urls]

    def settle(self, *roots: Locator, quiet_s: float = 0.6, timeout_s: float = 30.0) -> None:
        """Wait until no root has drawn a frame for quiet_s."""
        deadline = time.monotonic() + timeout_s
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            frames = [r.get_attribute("data-frames") for r in roots]
            if frames != last:
                last, since = frames, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return
            time.sleep(0.1)
        raise AssertionError("the widgets kept drawing")

    def kernel(self, code: str) -> str:
        return self.notebook.kernel_run(code).strip()

    def wait_kernel(self, code: str, expected: str, timeout_s: float = 15.0) -> None:
        """The kernel hears changes a moment after the view made them."""
        deadline = time.monotonic() + timeout_s
        value = None
        while time.monotonic() < deadline:
            value = self.kernel(code)
            if value == expected:
                return
            time.sleep(0.2)
        raise AssertionError(f"{code!r} gave {value!r}, expected {expected!r}")
