"""The plumbing itself: server, kernel, Lab UI, widget comms and WebGL in headless Chromium."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page

from .lab import CellError, JupyterServer, Notebook
from .pixels import hue_buckets, non_background_fraction, read_png

pytestmark = pytest.mark.e2e

# A tiny anywidget: draws two triangles with WebGL, reports back over the comm.
SMOKE_WIDGET = '''
import anywidget, traitlets

class Smoke(anywidget.AnyWidget):
    _esm = """
    const VERT = `attribute vec2 p; attribute vec3 c; varying vec3 v;
      void main() { v = c; gl_Position = vec4(p, 0.0, 1.0); }`;
    const FRAG = `precision mediump float; varying vec3 v;
      void main() { gl_FragColor = vec4(v, 1.0); }`;
    function shader(gl, type, src) {
      const s = gl.createShader(type); gl.shaderSource(s, src); gl.compileShader(s); return s;
    }
    function render({ model, el }) {
      const canvas = document.createElement('canvas');
      canvas.className = 'smoke-canvas';
      canvas.width = 240; canvas.height = 160;
      el.appendChild(canvas);
      const gl = canvas.getContext('webgl', { preserveDrawingBuffer: true });
      canvas.dataset.webgl = gl ? gl.getParameter(gl.VERSION) : 'none';
      if (!gl) return;
      const prog = gl.createProgram();
      gl.attachShader(prog, shader(gl, gl.VERTEX_SHADER, VERT));
      gl.attachShader(prog, shader(gl, gl.FRAGMENT_SHADER, FRAG));
      gl.linkProgram(prog); gl.useProgram(prog);
      const data = new Float32Array([
        -0.9, -0.8, 0.9, 0.3, 0.2,   -0.1, -0.8, 0.9, 0.3, 0.2,   -0.5, 0.8, 0.9, 0.3, 0.2,
         0.1, -0.8, 0.2, 0.4, 0.9,    0.9, -0.8, 0.2, 0.4, 0.9,    0.5, 0.8, 0.2, 0.4, 0.9,
      ]);
      gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
      gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
      const p = gl.getAttribLocation(prog, 'p'), c = gl.getAttribLocation(prog, 'c');
      gl.enableVertexAttribArray(p); gl.enableVertexAttribArray(c);
      gl.vertexAttribPointer(p, 2, gl.FLOAT, false, 20, 0);
      gl.vertexAttribPointer(c, 3, gl.FLOAT, false, 20, 8);
      gl.clearColor(1, 1, 1, 1); gl.clear(gl.COLOR_BUFFER_BIT);
      gl.drawArrays(gl.TRIANGLES, 0, 6);
      model.set('drawn', model.get('drawn') + 1);
      model.save_changes();
    }
    export default { render };
    """
    drawn = traitlets.Int(0).tag(sync=True)

w = Smoke()
w
'''


def test_print_via_ui(jupyter_server: JupyterServer, page: Page) -> None:
    nb = Notebook.create(jupyter_server, "harness_print.ipynb", ["print(1 + 1)", "x = 21"]).open(page)
    assert nb.run_cell(0) == "2"
    nb.run_all()
    assert nb.add_and_run("import json\nprint(json.dumps({'x': x * 2}))") == '{"x": 42}'
    with pytest.raises(CellError, match="ZeroDivisionError"):
        nb.add_and_run("1 / 0")
    assert nb.cell_count() == 4


def test_anywidget_webgl_canvas(jupyter_server: JupyterServer, page: Page) -> None:
    nb = Notebook.create(jupyter_server, "harness_widget.ipynb", [SMOKE_WIDGET]).open(page)
    nb.run_all()
    canvas = nb.cell_output_locator(0).locator("canvas.smoke-canvas")
    canvas.wait_for(state="visible", timeout=30_000)
    assert canvas.get_attribute("data-webgl", timeout=5_000).startswith("WebGL")

    image = read_png(canvas.screenshot())
    # Element screenshots round a fractional box outwards, so allow a pixel of slack.
    assert abs(image.width - 240) <= 1 and abs(image.height - 160) <= 1
    assert 0.3 < non_background_fraction(image) < 0.8
    warm, cool = hue_buckets(image, bins=12)[0:2], hue_buckets(image, bins=12)[7:9]
    assert sum(warm) > 2000 and sum(cool) > 2000, hue_buckets(image, bins=12)

    # Front end -> kernel: the widget's own report that it drew.
    assert json.loads(nb.add_and_run("print(w.drawn)")) >= 1
