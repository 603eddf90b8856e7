"""What a DevTools client's Network domain costs a page receiving one large WebSocket message.

A bare page (no JupyterLab, no widget) in the plain Chromium opens a WebSocket to a tornado
server on 127.0.0.1, which answers with one binary message of the comm_open's size and then
a 10-byte one; the page notes when each arrives, then times a dynamic import() of a tiny
module from a Blob URL (what anywidget does with `_esm`). The same page runs again after
Network.enable, which Playwright sends on every page it drives.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any

import tornado.web
import tornado.websocket

from plain_chromium import PlainChromium, _free_port

PAGE = """<!doctype html><html><body><script>
window.receive = () => new Promise((resolve) => {
  const ws = new WebSocket(`ws://${location.host}/ws`);
  ws.binaryType = 'arraybuffer';
  const out = {};
  let start = 0;
  ws.onopen = () => { start = performance.now(); ws.send('go'); };
  ws.onmessage = async (event) => {
    if (event.data.byteLength > 1000) { out.large_ms = performance.now() - start; return; }
    out.small_ms = performance.now() - start;
    const url = URL.createObjectURL(new Blob(['export default 1;'], { type: 'text/javascript' }));
    const t = performance.now();
    await import(url);
    out.import_ms = performance.now() - t;
    ws.close();
    resolve(out);
  };
});
</script></body></html>"""


def measure(size: int, repeats: int = 3) -> dict[str, Any]:
    """Arrival of a `size`-byte message (and of the one after it), without and with Network.enable."""
    payload = os.urandom(size)

    class Socket(tornado.websocket.WebSocketHandler):
        def on_message(self, message: str | bytes) -> None:
            self.write_message(payload, binary=True)
            self.write_message(b"0123456789", binary=True)

    class Page(tornado.web.RequestHandler):
        def get(self) -> None:
            self.write(PAGE)

    port = _free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    servers: list[Any] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        app = tornado.web.Application(
            [("/ws", Socket), ("/", Page)], websocket_max_message_size=size + 1024, log_function=lambda handler: None
        )
        servers.append(app.listen(port, "127.0.0.1"))
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="devtools-cost-server", daemon=True)
    thread.start()
    ready.wait(10)
    out: dict[str, Any] = {"bytes": size, "runs": {}}
    try:
        for mode in ("plain", "network_enabled"):
            browser = PlainChromium()
            try:
                if mode == "network_enabled":
                    browser.call("Network.enable")
                browser.navigate(f"http://127.0.0.1:{port}/")
                browser.wait_for("typeof window.receive === 'function'", timeout=30)
                out["runs"][mode] = [browser.evaluate("window.receive()", timeout=120) for _ in range(repeats)]
            finally:
                browser.close()
    finally:
        loop.call_soon_threadsafe(lambda: [s.stop() for s in servers])
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
    return out
