"""Read a network's layer activations for a batch of inputs, ready for :func:`embed_layers`.

Two kinds of model are understood:

* a fitted scikit-learn ``MLPClassifier`` / ``MLPRegressor`` (or a ``Pipeline`` ending in one):
  the activations are recomputed exactly from ``coefs_`` and ``intercepts_``;
* a PyTorch ``nn.Module``: forward hooks record the outputs of named submodules. torch is an
  optional dependency and is imported only when a torch model is passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from ._validate import to_numpy
from .embed import pool_conv

__all__ = ["activations"]


def activations(
    model: Any,
    inputs: Any,
    layers: Sequence[str] | None = None,
    *,
    batch_size: int = 256,
    pool: bool = True,
) -> dict[str, np.ndarray]:
    """Activations of ``model``'s layers for ``inputs``, one row per input.

    Parameters
    ----------
    model : MLPClassifier, MLPRegressor, Pipeline or torch.nn.Module
        scikit-learn: a fitted multi-layer perceptron, or a ``Pipeline`` whose last step is
        one (the earlier steps transform ``inputs`` first). Its layers are named ``"input"``
        (what the perceptron receives), ``"hidden 1"`` … ``"hidden L"`` (after the model's
        ``activation``) and ``"output"`` (after ``out_activation_``: softmax for multi-class,
        logistic for binary or multi-label, identity for regression). For a multi-class
        classifier ``"output"`` equals ``predict_proba``; a binary classifier has a single
        logistic output unit, which equals ``predict_proba(inputs)[:, 1:]``.

        PyTorch: any ``nn.Module``. Layers are module names as in ``model.named_modules()``
        (e.g. ``"features.3"``); the default is every top-level child, in registration order.
    inputs : array-like or iterable of batches
        scikit-learn: ``(n, n_features)``. PyTorch: an array or tensor whose first axis is the
        point axis (sliced into batches of ``batch_size``), or an iterable of batches such as
        a ``DataLoader`` (a batch that is a tuple or list, like ``(x, y)``, contributes its first
        element).
    layers : sequence of str, optional
        Which layers to return, in this order. Default: all of them, in network order.
    batch_size : int
        Points per forward pass (bounds memory for big inputs).
    pool : bool
        PyTorch: average-pool conv outputs ``(n, c, h, w)`` holding more than 51,200 values
        per point to at most 16 × 16 per channel (:func:`grandtour.embed.pool_conv`), per
        batch so the full-size maps are never held at once, and flatten every layer to
        ``(n, k)``. ``False`` returns each output as the module produced it.

    Returns
    -------
    dict of str to ndarray
        Layer name → activations, in the order of ``layers``. PyTorch outputs are float32.

    Raises
    ------
    TypeError
        The model kind is not supported, or ``inputs``/``layers`` have the wrong type.
    ValueError
        The model is not fitted, ``inputs`` has the wrong shape, a layer name is unknown or
        repeated, or a hooked module ran other than once per forward pass.
    ImportError
        ``model`` is a PyTorch module but torch cannot be imported.
    """
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be an integer; got {type(batch_size).__name__}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size}")
    if not isinstance(pool, (bool, np.bool_)):
        raise TypeError(f"pool must be True or False; got {type(pool).__name__}")
    if layers is not None:
        if isinstance(layers, str) or not isinstance(layers, Sequence):
            raise TypeError(f"layers must be a list of layer names; got {type(layers).__name__}")
        for name in layers:
            if not isinstance(name, str):
                raise TypeError(f"layers must hold strings; got {name!r} ({type(name).__name__})")
        repeated = sorted({name for name in layers if list(layers).count(name) > 1})
        if repeated:
            raise ValueError(f"layers names {repeated} more than once")
        if not layers:
            raise ValueError("layers is empty; pass at least one layer name, or None for all")

    perceptron, preprocess = _find_perceptron(model)
    if perceptron is not None:
        return _perceptron_activations(perceptron, preprocess, inputs, layers, batch_size)
    if _is_torch_module(model):
        return _torch_activations(model, inputs, layers, batch_size, pool)
    raise TypeError(
        "model must be a fitted scikit-learn MLPClassifier or MLPRegressor (or a Pipeline ending in "
        f"one) or a torch.nn.Module; got {type(model).__module__}.{type(model).__name__}"
    )


# --------------------------------------------------------------------------------------------
# scikit-learn perceptrons
# --------------------------------------------------------------------------------------------


def _find_perceptron(model: Any) -> tuple[Any, Any]:
    """(the perceptron, the pipeline in front of it or None), or (None, None) if not one."""
    preprocess = None
    steps = getattr(model, "steps", None)
    if isinstance(steps, list) and steps and hasattr(model, "__getitem__"):
        preprocess = model[:-1] if len(steps) > 1 else None
        model = steps[-1][1]
    if type(model).__name__ not in ("MLPClassifier", "MLPRegressor") and not hasattr(model, "coefs_"):
        return None, None
    if not hasattr(model, "coefs_"):
        raise ValueError(f"model is an unfitted {type(model).__name__}; call fit first")
    return model, preprocess


def _perceptron_activations(
    model: Any, preprocess: Any, inputs: Any, layers: Sequence[str] | None, batch_size: int
) -> dict[str, np.ndarray]:
    n_hidden = len(model.coefs_) - 1
    names = ["input", *(f"hidden {i}" for i in range(1, n_hidden + 1)), "output"]
    wanted = _select(names, layers)
    data = inputs if preprocess is None else preprocess.transform(inputs)
    array = to_numpy(data, "inputs")
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"inputs has dtype {array.dtype}; expected real numbers")
    expected = model.coefs_[0].shape[0]
    if array.ndim != 2 or array.shape[1] != expected:
        raise ValueError(f"inputs must have shape (n, {expected}) for this model; got {array.shape}")
    if array.shape[0] == 0:
        raise ValueError("inputs has no rows; pass at least one point")
    # The model's own precision: predict_proba runs in the dtype its weights were fitted in.
    array = array.astype(model.coefs_[0].dtype, copy=False)

    hidden = _ACTIVATIONS[model.activation]
    final = _ACTIVATIONS[model.out_activation_]
    parts: dict[str, list[np.ndarray]] = {name: [] for name in wanted}
    for start in range(0, len(array), batch_size):
        values = array[start : start + batch_size]
        if "input" in parts:
            parts["input"].append(values)
        for i, (weights, bias) in enumerate(zip(model.coefs_, model.intercepts_)):
            values = values @ weights + bias
            name = "output" if i == n_hidden else f"hidden {i + 1}"
            values = final(values) if i == n_hidden else hidden(values)
            if name in parts:
                parts[name].append(values)
    return {name: np.concatenate(parts[name]) for name in wanted}


def _softmax(values: np.ndarray) -> np.ndarray:
    shifted = np.exp(values - values.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)


def _logistic(values: np.ndarray) -> np.ndarray:
    from scipy.special import expit  # what scikit-learn uses; stable for large |x|

    return expit(values)


_ACTIVATIONS = {
    "identity": lambda values: values,
    "logistic": _logistic,
    "tanh": np.tanh,
    "relu": lambda values: np.maximum(values, 0),
    "softmax": _softmax,
}


def _select(names: list[str], layers: Sequence[str] | None) -> list[str]:
    if layers is None:
        return names
    unknown = [name for name in layers if name not in names]
    if unknown:
        raise ValueError(f"layers {unknown} are not in this model; its layers are {names}")
    return list(layers)


# --------------------------------------------------------------------------------------------
# PyTorch
# --------------------------------------------------------------------------------------------


def _is_torch_module(model: Any) -> bool:
    # Checked by class path so that merely asking never imports torch (seconds, and optional).
    return any(
        cls.__name__ == "Module" and cls.__module__.startswith("torch.nn") for cls in type(model).__mro__
    )


def _torch_activations(
    model: Any, inputs: Any, layers: Sequence[str] | None, batch_size: int, pool: bool
) -> dict[str, np.ndarray]:
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            f"model is a torch.nn.Module ({type(model).__name__}) but torch cannot be imported ({error}); "
            "install PyTorch to read its activations"
        ) from None

    modules = dict(model.named_modules())
    if layers is None:
        names = [name for name, _ in model.named_children()]
        if not names:
            raise ValueError(f"model ({type(model).__name__}) has no child modules; name the layers to read with layers=[...]")
    else:
        unknown = [name for name in layers if name not in modules]
        if unknown:
            known = [name for name in modules if name]
            shown = ", ".join(repr(name) for name in known[:20]) + (", ..." if len(known) > 20 else "")
            raise ValueError(f"layers {unknown} are not modules of this model; its modules are {shown}")
        names = list(layers)

    parameter = next(iter(model.parameters()), None)
    device = parameter.device if parameter is not None else torch.device("cpu")
    float_dtype = parameter.dtype if parameter is not None and parameter.is_floating_point() else torch.float32

    parts: dict[str, list[np.ndarray]] = {name: [] for name in names}
    calls = dict.fromkeys(names, 0)

    def recorder(name: str) -> Any:
        def hook(module: Any, args: Any, output: Any) -> None:
            tensor = output[0] if isinstance(output, (tuple, list)) and output else output
            if not isinstance(tensor, torch.Tensor):
                raise TypeError(f"layer {name!r} returned {type(output).__name__}; expected a tensor")
            values = tensor.detach().to("cpu", torch.float32).numpy()
            if pool:
                if values.ndim == 4:
                    values = pool_conv(values)
                values = values.reshape(values.shape[0], -1)
            parts[name].append(values)
            calls[name] += 1

        return hook

    # Each module keeps its own flag: model.train(True) afterwards would also switch on
    # submodules the caller had deliberately left in eval mode (frozen batch norm, say).
    training = [(module, module.training) for module in model.modules()]
    handles = []
    try:
        handles = [modules[name].register_forward_hook(recorder(name)) for name in names]
        model.eval()
        with torch.no_grad():
            for batch in _torch_batches(inputs, batch_size, torch, device, float_dtype):
                for name in names:
                    calls[name] = 0
                model(batch)
                wrong = {name: count for name, count in calls.items() if count != 1}
                if wrong:
                    detail = ", ".join(f"{name!r} ran {count} times" for name, count in wrong.items())
                    raise ValueError(
                        f"each hooked module must run exactly once per forward pass, but {detail}; "
                        "a module used several times (or never) has no single activation per point"
                    )
    finally:
        for handle in handles:
            handle.remove()
        for module, flag in training:
            module.training = flag
    if not parts[names[0]]:
        raise ValueError("inputs is empty; pass at least one point")
    return {name: np.concatenate(parts[name]) for name in names}


def _torch_batches(inputs: Any, batch_size: int, torch: Any, device: Any, float_dtype: Any) -> Iterator[Any]:
    def prepare(batch: Any) -> Any:
        if isinstance(batch, (tuple, list)) and batch and isinstance(batch[0], torch.Tensor):
            batch = batch[0]  # (x, y) from a DataLoader
        tensor = batch if isinstance(batch, torch.Tensor) else torch.as_tensor(to_numpy(batch, "inputs"))
        # Integer inputs (token ids for an nn.Embedding) must stay integers.
        if tensor.is_floating_point():
            return tensor.to(device=device, dtype=float_dtype)
        return tensor.to(device=device)

    if isinstance(inputs, torch.Tensor) or hasattr(inputs, "shape") or isinstance(inputs, (list, tuple)):
        tensor = inputs if isinstance(inputs, torch.Tensor) else torch.as_tensor(to_numpy(inputs, "inputs"))
        if tensor.ndim == 0:
            raise ValueError("inputs is a scalar; expected one row per point")
        for start in range(0, tensor.shape[0], batch_size):
            yield prepare(tensor[start : start + batch_size])
    elif isinstance(inputs, Iterable):
        for batch in inputs:
            yield prepare(batch)
    else:
        raise TypeError(f"inputs must be an array, a tensor or an iterable of batches; got {type(inputs).__name__}")
