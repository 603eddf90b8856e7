"""Debian's Chromium driven over a bare DevTools connection that enables no domain.

Playwright enables the DevTools Network domain on every page, and Chromium then reports
each WebSocket frame to the client with its payload. For a 61 MB comm message that doubled
its arrival time and stalled the page for a further 0.3-0.4 s (measured on a bare page:
bench/README.md, "Kernel -> first frame"). A user's browser has no such client, so the
kernel -> first frame figure is taken here: the page is driven only by Runtime.evaluate
and Input.dispatchKeyEvent, which report nothing back on their own.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from typing import Any

import tornado.websocket

from browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT


class PageError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PlainChromium:
    """One headless Chromium with one page, and a DevTools connection to that page."""

    def __init__(self) -> None:
        # The connection's loop runs in its own thread: the caller may be inside Playwright's
        # synchronous API, which keeps an event loop running in this one.
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="plain-chromium", daemon=True)
        self.thread.start()
        self.profile = tempfile.mkdtemp(prefix="grandtour-bench-chromium-")
        port = _free_port()
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                "--headless=new",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self.profile}",
                f"--window-size={VIEWPORT['width']},{VIEWPORT['height']}",
                "--force-device-scale-factor=1",
                *CHROMIUM_ARGS,
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.next_id = 0
        try:
            url = self._page_target(port)
            self.connection = self._run(self._connect(url), 30)
        except BaseException:
            self.close()
            raise

    @staticmethod
    async def _connect(url: str) -> tornado.websocket.WebSocketClientConnection:
        # Inside the loop: tornado binds the connection to the running one.
        return await tornado.websocket.websocket_connect(url, max_message_size=1 << 28)

    def _page_target(self, port: int) -> str:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=2) as response:
                    targets = json.loads(response.read())
                return next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
            except (OSError, StopIteration, ValueError):
                if time.monotonic() > deadline:
                    raise PageError("Chromium's DevTools endpoint did not come up") from None
                time.sleep(0.1)

    def _run(self, coroutine: Any, timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def call(self, method: str, params: dict[str, Any] | None = None, timeout: float = 600) -> dict[str, Any]:
        return self._run(self._call(method, params or {}), timeout)

    async def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        mine = self.next_id
        await self.connection.write_message(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            raw = await self.connection.read_message()
            if raw is None:
                raise PageError("the DevTools connection closed")
            message = json.loads(raw)
            if message.get("id") != mine:
                continue  # an event: none is enabled, but the browser may still send some
            if "error" in message:
                raise PageError(f"{method}: {message['error']}")
            return message["result"]

    def evaluate(self, expression: str, timeout: float = 600) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            timeout=timeout,
        )
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            raise PageError(f"in the page: {text}")
        return result["result"].get("value")

    def wait_for(self, condition: str, timeout: float = 300, poll: float = 0.2) -> None:
        """Poll a JavaScript boolean expression until it holds."""
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"(() => {{ try {{ return !!({condition}); }} catch (e) {{ return false; }} }})()"):
            if time.monotonic() > deadline:
                raise PageError(f"timed out waiting for {condition[:80]}")
            time.sleep(poll)

    def navigate(self, url: str) -> None:
        self.call("Page.navigate", {"url": url})

    def ctrl_enter(self) -> None:
        """A real Ctrl+Enter key press, as the keyboard would send it."""
        key = {"key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13, "modifiers": 2}
        self.call("Input.dispatchKeyEvent", {"type": "rawKeyDown", **key})
        self.call("Input.dispatchKeyEvent", {"type": "keyUp", **key})

    def close(self) -> None:
        connection = getattr(self, "connection", None)
        if connection is not None:
            self.loop.call_soon_threadsafe(connection.close)
        self.process.kill()
        self.process.wait()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
        shutil.rmtree(self.profile, ignore_errors=True)
