"""The example notebooks run from top to bottom (nbclient, a real kernel), so they cannot rot."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.ipynb")))
def test_example_notebook_runs(name: str, tmp_path: Path) -> None:
    notebook = nbformat.read(EXAMPLES / name, as_version=4)
    # The kernel is this interpreter's (the venv with grandtour); the cwd is the examples folder.
    client = NotebookClient(notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(EXAMPLES)}})
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets, f"{name} shows no widget"
    # Widget state is stored with the notebook, so the saved tours can render without a kernel.
    state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    tours = [m for m in state.get("state", {}).values() if m.get("model_name") == "AnyModel" and "_layers" in m.get("state", {})]
    assert tours, f"{name}: no Tour in the saved widget state"
