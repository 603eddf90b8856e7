"""A JupyterLab server and notebook driver for browser end-to-end tests.

Cells are run the way a person runs them (click into the cell, Ctrl+Enter; the Run menu for
Run All). What happened is read back through `window.jupyterapp`, which the server exposes
with `--LabApp.expose_app_in_browser`: polling the notebook model for execution counts and
kernel status is far steadier than scraping prompts alone.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
from playwright.sync_api import ConsoleMessage, Locator, Page

KERNEL_START_TIMEOUT_MS = 90_000
CELL_TIMEOUT_MS = 120_000
SERVER_START_TIMEOUT_S = 90.0

# Lab settings that keep runs hermetic and free of pop-ups: no news or update toasts, no
# autosave racing the tests' own notebook files, every cell in the DOM (no virtualisation),
# and an editor that types exactly what it is given.
USER_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "checkForUpdates": False,
        "fetchNews": "false",
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
        "codeCellConfig": {"autoClosingBrackets": False},
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
}


class LabError(RuntimeError):
    """The server or the notebook UI did not behave."""


class CellError(AssertionError):
    """A cell raised in the kernel."""


@dataclass
class JupyterServer:
    """A running `jupyter lab` bound to 127.0.0.1."""

    base_url: str
    token: str
    root_dir: Path
    process: subprocess.Popen[bytes]
    log_path: Path

    def url(self, path: str, **query: str) -> str:
        """An absolute URL for `path` carrying the token."""
        params = {"token": self.token, **query}
        return f"{self.base_url}/{path.lstrip('/')}?{urllib.parse.urlencode(params)}"

    def api(self, method: str, path: str, timeout: float = 10.0) -> Any:
        """Call the REST API; returns the decoded JSON body (or None)."""
        request = urllib.request.Request(
            f"{self.base_url}/api/{path.lstrip('/')}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def lab_setting_raw(self, plugin: str, timeout: float = 10.0) -> str:
        """A Lab plugin's user settings as stored (JSON5 text; "{}" when none are set)."""
        request = urllib.request.Request(
            f"{self.base_url}/lab/api/settings/{plugin}",
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return str(json.loads(response.read()).get("raw") or "{}")

    def set_lab_setting(self, plugin: str, values: dict[str, Any] | str, timeout: float = 10.0) -> None:
        """Replace a Lab plugin's user settings (e.g. "@jupyter-widgets/jupyterlab-manager:plugin")
        through the settings API: a dict, or raw text as `lab_setting_raw` returns it.
        Pages opened after this see the new values."""
        raw = values if isinstance(values, str) else json.dumps(values)
        request = urllib.request.Request(
            f"{self.base_url}/lab/api/settings/{plugin}",
            data=json.dumps({"raw": raw}).encode(),
            method="PUT",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_json(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1))


def start_jupyter_server(workdir: Path, log_path: Path, python: str = sys.executable) -> JupyterServer:
    """Start JupyterLab with every config, data and settings dir inside `workdir`."""
    root = workdir / "root"
    dirs = {name: workdir / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython")}
    for path in (root, *dirs.values()):
        path.mkdir(parents=True, exist_ok=True)
    for relative, value in USER_SETTINGS.items():
        _write_json(dirs["settings"] / relative, value)
    # The user data dir is searched first, so this spec pins the kernel to this very venv
    # even if some other `python3` kernelspec is installed system-wide.
    _write_json(
        dirs["data"] / "kernels" / "python3" / "kernel.json",
        {
            "argv": [python, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "metadata": {"debugger": False},
        },
    )

    port = free_port()
    token = secrets.token_hex(16)
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    env.pop("JUPYTER_TOKEN", None)
    command = [
        python,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.terminals_enabled=False",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        f"--LabApp.user_settings_dir={dirs['settings']}",
        f"--LabApp.workspaces_dir={dirs['workspaces']}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.extension_manager=readonly",  # no PyPI queries from the extension manager
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI and dev machines here run as root
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    process = subprocess.Popen(
        command,
        cwd=root,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so teardown can end all of it
    )
    log.close()
    server = JupyterServer(f"http://127.0.0.1:{port}", token, root, process, log_path)
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise LabError(f"jupyter lab exited with {process.returncode}:\n{server.log_tail()}")
        try:
            server.api("GET", "status", timeout=2.0)
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        if time.monotonic() > deadline:
            stop_jupyter_server(server)
            raise LabError(f"jupyter lab did not answer /api/status in time:\n{server.log_tail()}")
        time.sleep(0.25)


def stop_jupyter_server(server: JupyterServer, timeout: float = 15.0) -> None:
    """Shut kernels down through the API, then end the server's process group."""
    process = server.process
    if process.poll() is None:
        try:
            for kernel in server.api("GET", "kernels") or []:
                server.api("DELETE", f"kernels/{kernel['id']}")
            server.api("POST", "shutdown")
            process.wait(timeout=timeout)
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired, ValueError):
            pass
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)  # our own session, created by start_new_session
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=5.0)
        except subprocess.TimeoutExpired:
            continue
    if process.poll() is None:
        process.wait(timeout=5.0)


# ------------------------------------------------------------------ browser side


@dataclass
class ConsoleLog:
    """Console messages and uncaught page errors of one page."""

    lines: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.lines.append(f"[pageerror] {error}"))

    def _on_console(self, message: ConsoleMessage) -> None:
        self.lines.append(f"[{message.type}] {message.text}")

    def errors(self) -> list[str]:
        return [line for line in self.lines if line.startswith(("[error]", "[pageerror]"))]

    def text(self) -> str:
        return "\n".join(self.lines)


# Shared prelude of the in-page probes: find this notebook's panel by path.
_FIND_PANEL = """
const findPanel = (path) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return null;
  for (const widget of app.shell.widgets('main')) {
    if (widget.context && widget.context.path === path && widget.content && widget.sessionContext) {
      return widget;
    }
  }
  return null;
};
"""

_STATE = (
    "(path) => {"
    + _FIND_PANEL
    + """
  const panel = findPanel(path);
  if (!panel) return null;
  const session = panel.sessionContext;
  const kernel = session.session ? session.session.kernel : null;
  const cells = panel.content.widgets.map((cell) => {
    const model = cell.model;
    const isCode = model.type === 'code';
    const outputs = isCode ? model.outputs.toJSON() : [];
    const prompt = cell.node.querySelector('.jp-InputArea-prompt');
    return {
      type: model.type,
      count: isCode ? model.executionCount : null,
      prompt: prompt ? prompt.textContent.trim() : '',
      source: model.sharedModel.getSource(),
      errors: outputs.filter((o) => o.output_type === 'error')
        .map((o) => ({ename: o.ename, evalue: o.evalue, traceback: (o.traceback || []).join('\\n')})),
    };
  });
  return {
    kernel: kernel ? kernel.status : null,
    connection: kernel ? kernel.connectionStatus : null,
    ready: session.isReady,
    active: panel.content.activeCellIndex,
    cells,
  };
}"""
)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_DONE_PROMPT = re.compile(r"^\[\d+\]:$")


class Notebook:
    """One notebook file in the server's root dir, driven through the Lab UI."""

    def __init__(self, server: JupyterServer, name: str) -> None:
        self.server = server
        self.name = name
        self._page: Page | None = None

    # -- files ---------------------------------------------------------------

    @classmethod
    def create(cls, server: JupyterServer, name: str, cells: list[str]) -> Notebook:
        """Write `name` (an .ipynb) with one code cell per source string."""
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
        nb.metadata["language_info"] = {"name": "python"}
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        path = server.root_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))
        return cls(server, name)

    @property
    def path(self) -> Path:
        return self.server.root_dir / self.name

    # -- page ----------------------------------------------------------------

    @property
    def page(self) -> Page:
        if self._page is None:
            raise LabError("notebook is not open; call open(page) first")
        return self._page

    def open(self, page: Page, timeout_ms: int = KERNEL_START_TIMEOUT_MS, sidebar: bool = False) -> Notebook:
        """Open the notebook in a fresh workspace and wait for an idle kernel.

        The left sidebar (file browser) is collapsed unless `sidebar`, so outputs get the
        page's full width.
        """
        self._page = page
        workspace = f"e2e-{secrets.token_hex(4)}"
        page.goto(self.server.url(f"lab/workspaces/{workspace}/tree/{urllib.parse.quote(self.name)}"))
        page.wait_for_function(
            "(path) => {"
            + _FIND_PANEL
            + """
              const panel = findPanel(path);
              if (!panel || !panel.sessionContext.isReady) return false;
              const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
              return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected'
                && panel.content.widgets.length > 0;
            }""",
            arg=self.name,
            timeout=timeout_ms,
            polling=200,
        )
        self.panel_locator().locator(".jp-Notebook").wait_for(state="visible", timeout=timeout_ms)
        if not sidebar:
            current = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
            if current.count():
                current.first.click()
                page.locator("#jp-left-stack").wait_for(state="hidden", timeout=10_000)
        return self

    def state(self) -> dict[str, Any]:
        """The notebook's kernel status and per-cell state as the Lab model sees it."""
        state = self.page.evaluate(_STATE, self.name)
        if state is None:
            raise LabError(f"notebook {self.name} is not open in the page")
        return state

    def cell_count(self) -> int:
        return len(self.state()["cells"])

    def mode(self) -> str:
        """The notebook's mode: 'command' or 'edit'."""
        mode = self.page.evaluate(
            "(path) => {" + _FIND_PANEL + " const panel = findPanel(path); return panel ? panel.content.mode : null; }",
            self.name,
        )
        if mode is None:
            raise LabError(f"notebook {self.name} is not open in the page")
        return str(mode)

    def focus_editor(self, index: int) -> None:
        """Click into cell `index`'s editor and wait for edit mode on that cell."""
        self._focus_editor(index)

    def panel_locator(self) -> Locator:
        """The notebook panel; tests open one notebook per page."""
        return self.page.locator(".jp-NotebookPanel:visible").first

    def cell_locator(self, index: int) -> Locator:
        return self.panel_locator().locator(".jp-Notebook .jp-Cell").nth(index)

    def cell_output_locator(self, index: int) -> Locator:
        """The output area of cell `index`."""
        return self.cell_locator(index).locator(".jp-OutputArea")

    def output_text(self, index: int) -> str:
        """Visible text of cell `index`'s outputs, joined by newlines."""
        outputs = self.cell_locator(index).locator(".jp-OutputArea-output")
        return "\n".join(text.rstrip("\n") for text in outputs.all_inner_texts())

    # -- running -------------------------------------------------------------

    def _focus_editor(self, index: int) -> None:
        editor = self.cell_locator(index).locator(".jp-InputArea-editor .cm-content")
        editor.click()
        self.page.wait_for_function(
            "([path, index]) => {"
            + _FIND_PANEL
            + """
              const panel = findPanel(path);
              return !!panel && panel.content.activeCellIndex === index && panel.content.mode === 'edit';
            }""",
            arg=[self.name, index],
            timeout=10_000,
            polling=50,
        )

    def run_cell(self, index: int, timeout_ms: int = CELL_TIMEOUT_MS, check: bool = True) -> str:
        """Run cell `index` with Ctrl+Enter and return its output text once done.

        Ctrl+Enter rather than Shift+Enter: it stays on the cell instead of appending a fresh
        one below the last. Raises CellError if the cell raised and `check` is set.
        """
        before = self.state()["cells"][index]["count"]
        self._focus_editor(index)
        self.page.keyboard.press("Control+Enter")
        self._wait_done([index], {index: before}, timeout_ms, check)
        return self.output_text(index)

    def run_all(self, timeout_ms: int = CELL_TIMEOUT_MS, check: bool = True) -> None:
        """Run every cell through the Run menu's "Run All Cells" and wait for the last."""
        state = self.state()
        code = [i for i, cell in enumerate(state["cells"]) if cell["type"] == "code"]
        before = {i: state["cells"][i]["count"] for i in code}
        page = self.page
        # A click on the panel makes it the current widget, which Run All acts on.
        self.cell_locator(0).locator(".jp-InputArea-prompt").click()
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        self._wait_done(code, before, timeout_ms, check)

    def add_and_run(self, code: str, timeout_ms: int = CELL_TIMEOUT_MS, check: bool = True) -> str:
        """Append a code cell holding `code` (via the UI), run it and return its output text."""
        page = self.page
        count = self.cell_count()
        self._focus_editor(count - 1)
        page.keyboard.press("Escape")
        page.keyboard.press("b")
        page.wait_for_function(
            "([path, n]) => {"
            + _FIND_PANEL
            + """
              const panel = findPanel(path);
              return !!panel && panel.content.widgets.length === n + 1 && panel.content.activeCellIndex === n;
            }""",
            arg=[self.name, count],
            timeout=10_000,
            polling=50,
        )
        self._focus_editor(count)
        page.keyboard.insert_text(code)
        source = self.state()["cells"][count]["source"]
        if source != code:
            raise LabError(f"editor holds {source!r}, expected {code!r}")
        page.keyboard.press("Control+Enter")
        self._wait_done([count], {count: None}, timeout_ms, check)
        return self.output_text(count)

    def wait_idle(self, timeout_ms: int = CELL_TIMEOUT_MS) -> None:
        """Wait until the kernel reports idle."""
        deadline = time.monotonic() + timeout_ms / 1000
        while self.state()["kernel"] != "idle":
            if time.monotonic() > deadline:
                raise LabError(f"kernel not idle after {timeout_ms} ms")
            time.sleep(0.1)

    # -- saving, the kernel behind the UI's back ---------------------------------

    def save(self, timeout_ms: int = 30_000) -> None:
        """Save through the app's save command (what Ctrl+S runs) and wait for a clean model."""
        self.page.evaluate(
            "async (path) => {"
            + _FIND_PANEL
            + """
              const panel = findPanel(path);
              if (!panel) throw new Error(`notebook ${path} is not open`);
              window.jupyterapp.shell.activateById(panel.id);
              await window.jupyterapp.commands.execute('docmanager:save');
            }""",
            self.name,
        )
        self.page.wait_for_function(
            "(path) => {" + _FIND_PANEL + " const panel = findPanel(path); return !!panel && !panel.context.model.dirty; }",
            arg=self.name,
            timeout=timeout_ms,
            polling=100,
        )

    def kernel_run(self, code: str, timeout_ms: int = CELL_TIMEOUT_MS) -> str:
        """Run `code` in the notebook's kernel without a cell and return its stdout.

        Nothing in the notebook changes (no cell, no execution count, no scrolling), so the
        widgets on screen stay where they are. Raises CellError if the code raised.
        """
        result = self.page.evaluate(
            "async ([path, code, timeout]) => {"
            + _FIND_PANEL
            + """
              const panel = findPanel(path);
              const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
              if (!kernel) throw new Error(`no kernel for ${path}`);
              const future = kernel.requestExecute({code, silent: false, store_history: false});
              let out = '';
              let error = null;
              future.onIOPub = (msg) => {
                const type = msg.header.msg_type;
                if (type === 'stream') out += msg.content.text;
                if (type === 'error') {
                  error = `${msg.content.ename}: ${msg.content.evalue}\\n${msg.content.traceback.join('\\n')}`;
                }
              };
              const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeout));
              const done = await Promise.race([future.done.then(() => 'done'), timer]);
              return {out, error, done};
            }""",
            [self.name, code, timeout_ms],
        )
        if result["done"] != "done":
            raise LabError(f"kernel did not answer within {timeout_ms} ms: {code!r}")
        if result["error"]:
            raise CellError(_ANSI.sub("", result["error"]))
        return str(result["out"])

    def record_comm_messages(self) -> None:
        """From now on, note every comm message to and from the kernel (see comm_messages)."""
        self.page.evaluate(
            "(path) => {"
            + _FIND_PANEL
            + """
              const kernel = findPanel(path).sessionContext.session.kernel;
              window.__e2eComm = [];
              if (window.__e2eCommKernel === kernel) return;
              window.__e2eCommKernel = kernel;
              kernel.anyMessage.connect((_, {msg, direction}) => {
                const type = msg.header.msg_type;
                if (!type.startsWith('comm_') || !window.__e2eComm) return;
                const data = (msg.content && msg.content.data) || {};
                window.__e2eComm.push({
                  direction, type, comm: msg.content.comm_id, method: data.method || null,
                  keys: Object.keys(data.state || {}).sort(), at: performance.now(),
                });
              });
            }""",
            self.name,
        )

    def comm_messages(self) -> list[dict[str, Any]]:
        """Comm messages since record_comm_messages: direction ('send'/'recv'), method, state keys."""
        return list(self.page.evaluate("() => window.__e2eComm || []"))

    def kernel_id(self) -> str | None:
        """The id of the kernel the server runs for this notebook, if any."""
        for session in self.server.api("GET", "sessions") or []:
            if session.get("path") == self.name and session.get("kernel"):
                return str(session["kernel"]["id"])
        return None

    def shutdown_kernel(self) -> None:
        """End this notebook's session (and its kernel) through the REST API."""
        for session in self.server.api("GET", "sessions") or []:
            if session.get("path") == self.name:
                self.server.api("DELETE", f"sessions/{session['id']}")

    def _wait_done(
        self, indices: list[int], before: dict[int, int | None], timeout_ms: int, check: bool
    ) -> None:
        # A cell is done once its model holds a new execution count (Lab sets it only after
        # the reply *and* the kernel's idle status arrived) and its prompt shows "[n]:".
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            state = self.state()
            cells = state["cells"]
            if check:
                for i in indices:
                    if cells[i]["errors"]:
                        error = cells[i]["errors"][0]
                        raise CellError(
                            f"cell {i} raised {error['ename']}: {error['evalue']}\n"
                            + _ANSI.sub("", error["traceback"])
                        )
            done = all(
                isinstance(cells[i]["count"], int)
                and cells[i]["count"] != before.get(i)
                and _DONE_PROMPT.match(cells[i]["prompt"])
                for i in indices
            )
            if done and state["kernel"] == "idle":
                return
            if time.monotonic() > deadline:
                summary = [(i, cells[i]["count"], cells[i]["prompt"]) for i in indices]
                raise LabError(
                    f"cells not done after {timeout_ms} ms (kernel {state['kernel']}): {summary}\n"
                    f"server log:\n{self.server.log_tail()}"
                )
            time.sleep(0.1)
