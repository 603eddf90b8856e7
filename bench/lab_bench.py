"""The JupyterLab items: kernel → first frame, brush release → `t.selected` in the kernel, and
what a saved notebook weighs. One JupyterLab on 127.0.0.1 (the browser tests' harness,
tests/e2e/lab.py), one page, one kernel.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from browser import ROOT, VIEWPORT

sys.path.insert(0, str(ROOT))
from tests.e2e.lab import Notebook, start_jupyter_server, stop_jupyter_server  # noqa: E402

FIND_PANEL = """
const findPanel = (path) => {
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path && widget.sessionContext) return widget;
  }
  return null;
};
"""

# In the page: when each widget's data-status changes (MutationObserver, so no polling
# delay), when Ctrl+Enter was pressed, and the comm traffic with the kernel.
PROBE = (
    "(path) => {"
    + FIND_PANEL
    + """
  const probe = window.__bench = { status: [], keys: [], comm: [] };
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      if (!el.classList || !el.classList.contains('grandtour')) continue;
      if (!el.dataset.benchId) el.dataset.benchId = String(probe.status.length) + '-' + Math.random().toString(36).slice(2, 6);
      probe.status.push({ id: el.dataset.benchId, status: el.dataset.status, at: performance.now() });
    }
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-status'] });
  new MutationObserver((records) => {
    for (const r of records) for (const node of r.addedNodes) {
      if (node.nodeType !== 1) continue;
      const roots = node.classList.contains('grandtour') ? [node] : [...node.querySelectorAll('.grandtour')];
      for (const el of roots) {
        if (!el.dataset.benchId) el.dataset.benchId = String(probe.status.length) + '-' + Math.random().toString(36).slice(2, 6);
        const r = el.getBoundingClientRect();
        probe.status.push({ id: el.dataset.benchId, status: 'added:' + el.dataset.status, at: performance.now(),
          visible: r.bottom > 0 && r.top < window.innerHeight, top: r.top });
      }
    }
  }).observe(document.body, { subtree: true, childList: true });
  window.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.ctrlKey) probe.keys.push(e.timeStamp);
  }, true);
  const kernel = findPanel(path).sessionContext.session.kernel;
  kernel.anyMessage.connect((_, { msg, direction }) => {
    const type = msg.header.msg_type;
    if (!type.startsWith('comm_') && type !== 'execute_input' && type !== 'execute_reply') return;
    const data = (msg.content && msg.content.data) || {};
    const bytes = (msg.buffers || []).reduce((s, b) => s + (b.byteLength || 0), 0);
    probe.comm.push({ direction, type, method: data.method || null, keys: Object.keys(data.state || {}), bytes,
      at: performance.now(), epoch: performance.timeOrigin + performance.now(),
      created: Date.parse(msg.header.date) });
  });
}"""
)


def kernel_exec(page: Page, path: str, code: str, timeout_ms: int = 300_000) -> str:
    """Run code in the notebook's kernel (no cell) and return its stdout."""
    result = page.evaluate(
        "async ([path, code, timeout]) => {"
        + FIND_PANEL
        + """
          const kernel = findPanel(path).sessionContext.session.kernel;
          const future = kernel.requestExecute({ code, silent: false, store_history: false });
          let out = '', error = null;
          future.onIOPub = (msg) => {
            if (msg.header.msg_type === 'stream') out += msg.content.text;
            if (msg.header.msg_type === 'error') error = msg.content.ename + ': ' + msg.content.evalue;
          };
          const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeout));
          const done = await Promise.race([future.done.then(() => 'done'), timer]);
          return { out, error, done };
        }""",
        [path, code, timeout_ms],
    )
    if result["done"] != "done" or result["error"]:
        raise RuntimeError(f"kernel: {result['error'] or 'timeout'} running {code[:80]!r}")
    return str(result["out"])


def _set_save_state(server: Any, on: bool) -> None:
    body = json.dumps({"raw": json.dumps({"saveState": on})}).encode()
    request = urllib.request.Request(
        f"{server.base_url}/lab/api/settings/@jupyter-widgets/jupyterlab-manager:plugin",
        data=body,
        method="PUT",
        headers={"Authorization": f"token {server.token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


SETUP = """
import json, time
import numpy as np
from grandtour import Tour

def blobs(n, d, k=10, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-1, 1, (k, d)).astype(np.float32)
    labels = np.arange(n) %% k
    return centres[labels] + rng.normal(0, 0.2, (n, d)).astype(np.float32), labels

DATA = {n: blobs(n, %(d)d) for n in %(sizes)r}
_bench = {}
"""

SHOW = """_t = time.time()
t_%(n)d = Tour(*DATA[%(n)d])
_bench['build_%(n)d'] = time.time() - _t
t_%(n)d"""


def run(browser: Browser, sizes: list[int], brush_n: int | None, d: int = 15, log=print) -> dict[str, Any]:
    """First frame at each of `sizes` (in order), then a lasso on the `brush_n` tour."""
    workdir = Path(tempfile.mkdtemp(prefix="grandtour-bench-lab-"))
    server = start_jupyter_server(workdir, workdir / "jupyter-server.log", python=sys.executable)
    results: dict[str, Any] = {"d": d, "first_frame": [], "first_frame_plain": [], "devtools_websocket": None, "brush": None, "notebook": None}
    try:
        # Widget state is saved into the notebook (off by default): the saved file then
        # shows both weights, with and without metadata.widgets.
        _set_save_state(server, True)
        # First, while nothing else runs: the figure the target is judged on, and what a
        # DevTools client's Network domain adds to a message of the largest tour's size.
        results["first_frame_plain"] = first_frames_without_devtools(server, sizes, d, log)
        from devtools_cost import measure

        cost = results["devtools_websocket"] = measure(max(sizes) * (4 * d + 1))
        for mode, runs in cost["runs"].items():
            log(
                f"  websocket, {cost['bytes'] / 1e6:.1f} MB message, {mode}: arrives after "
                + ", ".join(f"{r['large_ms']:.0f}" for r in runs)
                + " ms; the next message "
                + ", ".join(f"{r['small_ms']:.0f}" for r in runs)
                + " ms; a Blob import() then "
                + ", ".join(f"{r['import_ms']:.0f}" for r in runs)
                + " ms"
            )
        cells = [SETUP % {"d": d, "sizes": sizes}] + [SHOW % {"n": n} for n in sizes]
        name = "bench.ipynb"
        notebook = Notebook.create(server, name, cells)
        context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
        context.set_default_timeout(300_000)
        page = context.new_page()
        notebook.open(page)
        page.evaluate(PROBE, name)
        t = time.monotonic()
        notebook.run_cell(0, timeout_ms=300_000)
        log(f"  lab: data made in the kernel ({time.monotonic() - t:.1f} s)")
        for i, n in enumerate(sizes, start=1):
            if i > 1:
                # Close the tour above so this one's output opens in view (a view out of
                # sight does not draw, by design, and would not report ready).
                kernel_exec(page, name, f"t_{sizes[i - 2]}.close(); print('ok')")
            results["first_frame"].append(_first_frame(page, notebook, name, i, n, log))
            if i == 1:
                # The saved notebook's weight, with the first (smallest) tour in it only.
                results["notebook"] = _saved_weight(page, notebook, name, sizes[:1], d)
        if brush_n is not None:
            results["brush"] = _brush(page, notebook, name, sizes.index(brush_n) + 1, brush_n, log)
        context.close()
    finally:
        stop_jupyter_server(server)
    return results


BEFORE = "() => ({ status: window.__bench.status.length, comm: window.__bench.comm.length, keys: window.__bench.keys.length })"


def _first_frame(page: Page, notebook: Notebook, name: str, index: int, n: int, log) -> dict[str, Any]:
    before = page.evaluate(BEFORE)
    notebook.run_cell(index, timeout_ms=600_000)
    root = notebook.cell_locator(index).locator(".grandtour")
    root.wait_for(state="attached", timeout=600_000)
    page.wait_for_function(
        "(el) => el.dataset.status === 'ready' || el.dataset.status === 'error'",
        arg=root.element_handle(),
        timeout=600_000,
        polling=50,
    )
    probe = page.evaluate("() => window.__bench")
    build = float(kernel_exec(page, name, f"print(_bench['build_{n}'])").strip())
    result = _summarise(probe, before, root.get_attribute("data-bench-id"), root.get_attribute("data-status"), n, build)
    log(f"  lab: n={n:,} first frame {result['execute_to_ready_ms']:.0f} ms after Ctrl+Enter ({result['status']}, Playwright attached)")
    return result


def _summarise(probe: dict[str, Any], before: dict[str, int], widget_id: str | None, status: str | None, n: int, build: float) -> dict[str, Any]:
    """The first-frame figures from the page probe's records after `before`."""
    key_at = probe["keys"][before["keys"]]
    statuses = [s for s in probe["status"][before["status"] :] if s["id"] == widget_id]
    ready = next((s["at"] for s in statuses if s["status"] == "ready"), None)
    added = next((s["at"] for s in statuses if s["status"].startswith("added")), None)
    comm = probe["comm"][before["comm"] :]
    opened = next((m for m in comm if m["type"] == "comm_open" and m["direction"] == "recv" and m["bytes"] > 0), None)
    execute = next((m for m in comm if m["type"] == "execute_input"), None)
    result = {
        "n": n,
        "status": status,
        "visible_when_added": next((s.get("visible") for s in statuses if s["status"].startswith("added")), None),
        "kernel_created_comm_open_after_execute_input_ms": None if (opened is None or execute is None) else opened["created"] - execute["created"],
        "comm_open_transit_ms": None if opened is None else opened["epoch"] - opened["created"],
        "execute_to_ready_ms": None if ready is None else ready - key_at,
        "kernel_build_s": build,
        "execute_to_comm_open_ms": None if opened is None else opened["at"] - key_at,
        "comm_open_bytes": None if opened is None else opened["bytes"],
        "comm_open_to_view_ms": None if (opened is None or added is None) else added - opened["at"],
        "view_to_ready_ms": None if (added is None or ready is None) else ready - added,
    }
    return result


def first_frames_without_devtools(server: Any, sizes: list[int], d: int, log) -> list[dict[str, Any]]:
    """Kernel -> first frame in a Chromium that no Playwright drives (plain_chromium.py says why).

    Its own notebook and kernel; the cells are run with a real Ctrl+Enter, and the page's
    own probe (PROBE) times the steps, as in the Playwright run.
    """
    from plain_chromium import PlainChromium

    name = "bench-plain.ipynb"
    Notebook.create(server, name, [SETUP % {"d": d, "sizes": sizes}] + [SHOW % {"n": n} for n in sizes])
    browser = PlainChromium()
    panel = "findPanel(%s)" % json.dumps(name)
    find = FIND_PANEL.replace("\n", " ")
    results: list[dict[str, Any]] = []
    try:
        browser.navigate(server.url(f"lab/workspaces/bench-plain/tree/{name}"))
        browser.wait_for(
            f"window.jupyterapp && (() => {{ {find} const p = {panel}; const k = p && p.sessionContext.session"
            " && p.sessionContext.session.kernel; return !!k && k.status === 'idle' && k.connectionStatus === 'connected'"
            " && p.content.widgets.length > 0; })()",
            timeout=300,
        )
        # The output gets the page's width, as in the Playwright run (its sidebar collapsed).
        browser.evaluate("window.jupyterapp.shell.collapseLeft(), true")
        browser.evaluate(f"({PROBE})({json.dumps(name)}), true")

        def run(code: str) -> str:
            out = browser.evaluate(
                f"(async () => {{ {find} const k = {panel}.sessionContext.session.kernel;"
                f" const f = k.requestExecute({{ code: {json.dumps(code)}, store_history: false }}); let out = '', err = null;"
                " f.onIOPub = (m) => { if (m.header.msg_type === 'stream') out += m.content.text;"
                " if (m.header.msg_type === 'error') err = m.content.ename + ': ' + m.content.evalue; };"
                " await f.done; return err ? 'ERROR ' + err : out; })()"
            )
            if str(out).startswith("ERROR "):
                raise RuntimeError(f"kernel: {out} running {code[:80]!r}")
            return str(out)

        t = time.monotonic()
        run(SETUP % {"d": d, "sizes": sizes})
        log(f"  lab (no Playwright): data made in the kernel ({time.monotonic() - t:.1f} s)")
        for i, n in enumerate(sizes, start=1):
            if i > 1:
                run(f"t_{sizes[i - 2]}.close(); print('ok')")
            before = browser.evaluate(f"({BEFORE})()")
            browser.evaluate(
                f"(() => {{ {find} const nb = {panel}.content; nb.activeCellIndex = {i}; nb.mode = 'command';"
                f" nb.activeCell.node.scrollIntoView({{ block: 'start' }}); nb.node.focus(); return true; }})()"
            )
            browser.ctrl_enter()
            # Resolves when this cell's widget says ready (or error): one round trip, no polling.
            done = browser.evaluate(
                f"new Promise((resolve) => {{ {find} const cell = {panel}.content.widgets[{i}].node;"
                " const check = () => { const el = cell.querySelector('.grandtour');"
                " if (el && ['ready', 'error'].includes(el.dataset.status)) { resolve([el.dataset.benchId, el.dataset.status]); return true; }"
                " return false; };"
                " if (!check()) new MutationObserver((_, o) => { if (check()) o.disconnect(); })"
                ".observe(cell, { subtree: true, childList: true, attributes: true }); })",
                timeout=600,
            )
            probe = browser.evaluate("window.__bench")
            build = float(run(f"print(_bench['build_{n}'])").strip())
            result = _summarise(probe, before, done[0], done[1], n, build)
            log(f"  lab: n={n:,} first frame {result['execute_to_ready_ms']:.0f} ms after Ctrl+Enter ({result['status']}, no Playwright)")
            results.append(result)
        run(f"t_{sizes[-1]}.close(); print('ok')")
        browser.evaluate(f"(async () => {{ {find} await {panel}.sessionContext.shutdown(); return true; }})()")
    finally:
        browser.close()
    return results


LASSO_PROBE = """(el) => {
  const plot = el.querySelector('.grandtour-plot');
  window.__bench.lasso = [];
  for (const type of ['pointerdown', 'pointerup']) {
    plot.addEventListener(type, (e) => window.__bench.lasso.push({ type, stamp: performance.timeOrigin + e.timeStamp,
      handled: performance.timeOrigin + performance.now() }), { capture: true });
  }
  const r = plot.getBoundingClientRect();
  return { x: r.left, y: r.top, width: r.width, height: r.height };
}"""


def _brush(page: Page, notebook: Notebook, name: str, index: int, n: int, log) -> dict[str, Any]:
    kernel_exec(
        page,
        name,
        f"""
_brush = {{}}
def _on_selected(change):
    _brush['at'] = time.time()
    _brush['count'] = len(change['new'])
t_{n}.observe(_on_selected, names='selected')
print('ok')""",
    )
    root = notebook.cell_locator(index).locator(".grandtour")
    root.scroll_into_view_if_needed()
    box = page.evaluate(LASSO_PROBE, root.element_handle())
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    r = min(box["width"], box["height"]) * 0.12
    comm_before = page.evaluate("() => window.__bench.comm.length")
    mouse = page.mouse
    mouse.move(cx + r, cy)
    mouse.down()
    import math

    for k in range(1, 25):
        a = 2 * math.pi * k / 24
        mouse.move(cx + r * math.cos(a), cy + r * math.sin(a) * 0.8, steps=1)
    mouse.up()
    deadline = time.monotonic() + 120
    state: dict[str, Any] = {}
    while time.monotonic() < deadline:
        state = json.loads(kernel_exec(page, name, "print(json.dumps(_brush))").strip() or "{}")
        if "at" in state:
            break
        time.sleep(0.05)
    lasso = page.evaluate("() => window.__bench.lasso")
    up = next((e for e in lasso if e["type"] == "pointerup"), None)
    sent = next(
        (m for m in page.evaluate("() => window.__bench.comm")[comm_before:] if m["direction"] == "send" and m["type"] == "comm_msg"),
        None,
    )
    result = {
        "n": n,
        "selected": state.get("count"),
        "release_to_kernel_ms": None if (up is None or "at" not in state) else state["at"] * 1000 - up["stamp"],
        "release_to_handler_ms": None if up is None else up["handled"] - up["stamp"],
        "release_to_message_sent_ms": None if (up is None or sent is None) else sent["epoch"] - up["stamp"],
        "message_bytes": None if sent is None else sent["bytes"],
    }
    log(f"  lab: n={n:,} brush release → t.selected in {result['release_to_kernel_ms']:.0f} ms ({result['selected']} selected)")
    return result


def _saved_weight(page: Page, notebook: Notebook, name: str, sizes: list[int], d: int) -> dict[str, Any]:
    page.evaluate(
        "async (path) => {"
        + FIND_PANEL
        + """
          const panel = findPanel(path);
          window.jupyterapp.shell.activateById(panel.id);
          await window.jupyterapp.commands.execute('docmanager:save');
        }""",
        name,
    )
    page.wait_for_function(
        "(path) => {" + FIND_PANEL + " const p = findPanel(path); return !!p && !p.context.model.dirty; }",
        arg=name,
        timeout=300_000,
    )
    path = notebook.path
    raw = path.read_bytes()
    nb = json.loads(raw)
    widgets = nb.get("metadata", {}).get("widgets")
    without = dict(nb)
    without["metadata"] = {k: v for k, v in nb.get("metadata", {}).items() if k != "widgets"}
    plain = json.dumps(without, indent=1).encode()
    return {
        "tours": sizes,
        "d": d,
        "points": sum(sizes),
        "bytes_with_widget_state": len(raw),
        "bytes_without_widget_state": len(plain),
        "widget_state_saved": widgets is not None,
        "widget_state_bytes_per_point": (len(raw) - len(plain)) / sum(sizes) if widgets else None,
    }
