"""grandtour.activations: exact layer activations of scikit-learn perceptrons and PyTorch modules."""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np
import pytest
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from grandtour import activations


def fitted(model: Any, x: np.ndarray, y: np.ndarray) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a few iterations are plenty here
        return model.fit(x, y)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 50)
    return rng.normal(size=(4, 6))[labels] * 2 + rng.normal(size=(200, 6)), labels


@pytest.fixture(scope="module")
def classifier(data: tuple[np.ndarray, np.ndarray]) -> MLPClassifier:
    return fitted(MLPClassifier(hidden_layer_sizes=(12, 7), max_iter=60, random_state=0), *data)


# ---------------------------------------------------------------------------------------------
# scikit-learn
# ---------------------------------------------------------------------------------------------


def test_classifier_layers_and_output_equal_predict_proba(classifier: MLPClassifier, data: Any) -> None:
    x, _ = data
    result = activations(classifier, x)
    assert list(result) == ["input", "hidden 1", "hidden 2", "output"]
    assert [array.shape for array in result.values()] == [(200, 6), (200, 12), (200, 7), (200, 4)]
    np.testing.assert_array_equal(result["input"], x)
    np.testing.assert_allclose(result["output"], classifier.predict_proba(x), rtol=1e-12, atol=1e-15)


def test_hidden_layers_match_a_hand_computation(classifier: MLPClassifier, data: Any) -> None:
    x, _ = data
    (w1, w2, _), (b1, b2, _) = classifier.coefs_, classifier.intercepts_
    hidden_1 = np.maximum(x @ w1 + b1, 0)
    hidden_2 = np.maximum(hidden_1 @ w2 + b2, 0)
    result = activations(classifier, x, layers=["hidden 2", "hidden 1"])
    assert list(result) == ["hidden 2", "hidden 1"]  # the order asked for
    np.testing.assert_allclose(result["hidden 1"], hidden_1, rtol=1e-12)
    np.testing.assert_allclose(result["hidden 2"], hidden_2, rtol=1e-12)


def test_batches_do_not_change_the_result(classifier: MLPClassifier, data: Any) -> None:
    x, _ = data
    whole = activations(classifier, x, batch_size=1000)
    pieces = activations(classifier, x, batch_size=7)
    for name in whole:
        np.testing.assert_array_equal(whole[name], pieces[name])


@pytest.mark.parametrize("activation", ["tanh", "logistic", "identity"])
def test_other_hidden_activations(activation: str, data: Any) -> None:
    x, y = data
    model = fitted(MLPClassifier(hidden_layer_sizes=(5,), activation=activation, max_iter=30, random_state=0), x, y)
    functions = {"tanh": np.tanh, "logistic": expit, "identity": lambda v: v}
    result = activations(model, x)
    np.testing.assert_allclose(result["hidden 1"], functions[activation](x @ model.coefs_[0] + model.intercepts_[0]), rtol=1e-12)
    np.testing.assert_allclose(result["output"], model.predict_proba(x), rtol=1e-12, atol=1e-15)


def test_binary_classifier_has_one_logistic_output_unit(data: Any) -> None:
    x, y = data
    model = fitted(MLPClassifier(hidden_layer_sizes=(5,), max_iter=30, random_state=0), x, y % 2)
    output = activations(model, x, layers=["output"])["output"]
    assert output.shape == (200, 1)
    np.testing.assert_allclose(output, model.predict_proba(x)[:, 1:], rtol=1e-12)


def test_regressor_output_is_the_prediction(data: Any) -> None:
    x, y = data
    targets = np.column_stack([y, y**2]).astype(float)
    model = fitted(MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0), x, targets)
    np.testing.assert_allclose(activations(model, x)["output"], model.predict(x), rtol=1e-12)


def test_pipeline_feeds_the_perceptron_its_preprocessed_input(data: Any) -> None:
    x, y = data
    pipeline = fitted(make_pipeline(StandardScaler(), MLPClassifier(hidden_layer_sizes=(6,), max_iter=40, random_state=0)), x, y)
    result = activations(pipeline, x)
    np.testing.assert_allclose(result["input"], pipeline[0].transform(x))
    np.testing.assert_allclose(result["output"], pipeline.predict_proba(x), rtol=1e-12, atol=1e-15)


def test_float32_model_stays_float32(data: Any) -> None:
    x, y = data
    model = fitted(MLPClassifier(hidden_layer_sizes=(5,), max_iter=20, random_state=0), x.astype(np.float32), y)
    result = activations(model, x.astype(np.float32))
    assert {array.dtype for array in result.values()} == {np.dtype(np.float32)}
    np.testing.assert_allclose(result["output"], model.predict_proba(x.astype(np.float32)), rtol=1e-5)


BAD: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    ("unfitted", {"model": MLPClassifier()}, ValueError, r"model is an unfitted MLPClassifier; call fit first"),
    ("not a network", {"model": StandardScaler()}, TypeError, r"model must be a fitted scikit-learn MLPClassifier .* got sklearn\..*StandardScaler"),
    ("unknown layer", {"layers": ["hidden 9"]}, ValueError, r"layers \['hidden 9'\] are not in this model; its layers are \['input', 'hidden 1', 'hidden 2', 'output'\]"),
    ("repeated layer", {"layers": ["input", "input"]}, ValueError, r"layers names \['input'\] more than once"),
    ("layers a string", {"layers": "output"}, TypeError, r"layers must be a list of layer names; got str"),
    ("layers empty", {"layers": []}, ValueError, r"layers is empty"),
    ("wrong width", {"inputs": np.zeros((5, 4))}, ValueError, r"inputs must have shape \(n, 6\) for this model; got \(5, 4\)"),
    ("no rows", {"inputs": np.zeros((0, 6))}, ValueError, r"inputs has no rows"),
    ("strings", {"inputs": np.full((5, 6), "a")}, TypeError, r"inputs has dtype <U1"),
    ("batch size 0", {"batch_size": 0}, ValueError, r"batch_size must be >= 1; got 0"),
    ("pool not a bool", {"pool": 1}, TypeError, r"pool must be True or False; got int"),
]


@pytest.mark.parametrize(("kwargs", "error", "message"), [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_is_refused(kwargs: dict[str, Any], error: type[Exception], message: str, classifier: MLPClassifier, data: Any) -> None:
    arguments = {"model": classifier, "inputs": data[0], **kwargs}
    with pytest.raises(error, match=message):
        activations(arguments.pop("model"), arguments.pop("inputs"), **arguments)


def test_sklearn_models_never_import_torch(classifier: MLPClassifier, data: Any) -> None:
    already = "torch" in sys.modules
    activations(classifier, data[0])
    assert already or "torch" not in sys.modules


# ---------------------------------------------------------------------------------------------
# PyTorch (only where torch is installed; it is an optional dependency)
# ---------------------------------------------------------------------------------------------


def small_convnet() -> Any:
    torch = pytest.importorskip("torch")
    nn = torch.nn
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 80, 3, padding=1),  # 80 × 32 × 32 = 81,920 values: over the pooling budget
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.AdaptiveAvgPool2d(4),
        nn.Flatten(),
        nn.Linear(80 * 16, 10),
    )


def test_torch_hooks_pool_and_flatten() -> None:
    torch = pytest.importorskip("torch")
    model = small_convnet().train()
    images = torch.randn(20, 3, 32, 32)
    result = activations(model, images, batch_size=8)
    assert list(result) == ["0", "1", "2", "3", "4", "5"]  # the top-level children
    assert result["0"].shape == (20, 80 * 16 * 16)  # ⌊√(51200/80)⌋ = 25 → capped at 16
    assert result["5"].shape == (20, 10)
    assert all(array.dtype == np.float32 for array in result.values())
    with torch.no_grad():
        model.eval()
        expected = model(images).numpy()
        model.train()
    np.testing.assert_allclose(result["5"], expected, rtol=1e-5, atol=1e-6)  # eval mode: no dropout
    assert model.training and all(module.training for module in model.modules())  # restored


def test_torch_named_layers_unpooled_and_loader_batches() -> None:
    torch = pytest.importorskip("torch")
    model = small_convnet()
    images = torch.randn(10, 3, 32, 32)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images, torch.zeros(10)), batch_size=4)
    result = activations(model, loader, layers=["3", "0"], pool=False)
    assert list(result) == ["3", "0"]
    assert result["0"].shape == (10, 80, 32, 32)
    assert result["3"].shape == (10, 80, 4, 4)


def test_torch_hooks_are_removed_and_mode_restored_on_error() -> None:
    torch = pytest.importorskip("torch")
    model = small_convnet()
    model[2].eval()  # a submodule deliberately left in eval mode stays so
    with pytest.raises(RuntimeError):
        activations(model, torch.randn(4, 5, 32, 32))  # wrong channel count fails inside forward
    assert all(not module._forward_hooks for module in model.modules())
    assert model.training and not model[2].training
    with pytest.raises(ValueError, match=r"layers \['nope'\] are not modules of this model"):
        activations(model, torch.randn(4, 3, 32, 32), layers=["nope"])


def test_torch_module_used_twice_is_refused() -> None:
    torch = pytest.importorskip("torch")
    nn = torch.nn

    class Twice(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.act = nn.ReLU()
            self.fc = nn.Linear(4, 4)

        def forward(self, x: Any) -> Any:
            return self.act(self.fc(self.act(x)))

    with pytest.raises(ValueError, match=r"'act' ran 2 times"):
        activations(Twice(), torch.randn(3, 4), layers=["act"])


# ---------------------------------------------------------------------------------------------
# The torch code path without torch: a minimal stand-in with the same surface, so the hook,
# batching and clean-up logic is exercised on machines (like CI) that do not install torch.
# ---------------------------------------------------------------------------------------------


class FakeTensor:
    def __init__(self, array: Any) -> None:
        self.array = np.asarray(array)

    shape = property(lambda self: self.array.shape)
    ndim = property(lambda self: self.array.ndim)

    def __getitem__(self, index: Any) -> FakeTensor:
        return FakeTensor(self.array[index])

    def detach(self) -> FakeTensor:
        return self

    def to(self, *args: Any, **kwargs: Any) -> FakeTensor:
        dtype = kwargs.get("dtype", args[1] if len(args) > 1 else None)
        return FakeTensor(self.array.astype(dtype)) if dtype is not None else self

    def is_floating_point(self) -> bool:
        return bool(np.issubdtype(self.array.dtype, np.floating))

    def numpy(self) -> np.ndarray:
        return self.array


def fake_torch_module() -> Any:
    import contextlib
    import types

    torch = types.ModuleType("torch")
    torch.Tensor = FakeTensor  # type: ignore[attr-defined]
    torch.float32 = np.float32  # type: ignore[attr-defined]
    torch.device = lambda name: name  # type: ignore[attr-defined]
    torch.as_tensor = FakeTensor  # type: ignore[attr-defined]
    torch.no_grad = contextlib.nullcontext  # type: ignore[attr-defined]

    class Module:
        def __init__(self, **children: Any) -> None:
            self.children_ = children
            self.hooks: dict[object, Any] = {}
            self.training = True

        def named_children(self) -> Any:
            return iter(self.children_.items())

        def named_modules(self, prefix: str = "") -> Any:
            yield prefix, self
            for name, child in self.children_.items():
                yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

        def modules(self) -> Any:
            return (module for _, module in self.named_modules())

        def parameters(self) -> Any:
            return iter(())

        def eval(self) -> Any:
            for module in self.modules():
                module.training = False
            return self

        def register_forward_hook(self, hook: Any) -> Any:
            key = object()
            self.hooks[key] = hook
            return types.SimpleNamespace(remove=lambda: self.hooks.pop(key, None))

        def __call__(self, x: FakeTensor) -> FakeTensor:
            output = self.forward(x)
            for hook in list(self.hooks.values()):
                hook(self, (x,), output)
            return output

    Module.__module__ = "torch.nn.modules.module"
    torch.Module = Module  # type: ignore[attr-defined]
    return torch


@pytest.fixture
def fake_torch(monkeypatch: pytest.MonkeyPatch) -> Any:
    torch = fake_torch_module()
    monkeypatch.setitem(sys.modules, "torch", torch)
    return torch


def fake_net(torch: Any, *, fail_at: int | None = None) -> Any:
    class Conv(torch.Module):
        def forward(self, x: FakeTensor) -> FakeTensor:  # (n, 2) → (n, 300, 20, 20) maps
            return FakeTensor(np.repeat(x.array[:, :1, None, None], 300, axis=1) * np.ones((1, 1, 20, 20)))

    class Head(torch.Module):
        def forward(self, x: FakeTensor) -> FakeTensor:
            if fail_at is not None and x.array.shape[0] and x.array[0, 0, 0, 0] >= fail_at:
                raise RuntimeError("boom")
            return FakeTensor(x.array.mean(axis=(1, 2, 3))[:, None] * np.array([[1.0, -1.0]]))

    class Net(torch.Module):
        def forward(self, x: FakeTensor) -> FakeTensor:
            return self.children_["head"](self.children_["conv"](x))

    return Net(conv=Conv(), head=Head())


def test_fake_torch_hooks_batches_pooling(fake_torch: Any) -> None:
    model = fake_net(fake_torch)
    inputs = np.arange(20.0).reshape(10, 2)
    result = activations(model, inputs, batch_size=3)
    assert list(result) == ["conv", "head"]
    assert result["conv"].shape == (10, 300 * 13 * 13)  # 120,000 values: pooled to ⌊√(51200/300)⌋ = 13
    np.testing.assert_allclose(result["head"], np.column_stack([inputs[:, 0], -inputs[:, 0]]))
    assert result["conv"].dtype == np.float32
    assert all(not module.hooks for module in model.modules())
    assert all(module.training for module in model.modules())
    unpooled = activations(model, iter([(FakeTensor(inputs[:4]), None), FakeTensor(inputs[4:])]), layers=["head", "conv"], pool=False)
    assert list(unpooled) == ["head", "conv"]
    assert unpooled["conv"].shape == (10, 300, 20, 20)


def test_fake_torch_cleans_up_after_an_error(fake_torch: Any) -> None:
    model = fake_net(fake_torch, fail_at=10)
    model.children_["head"].training = False  # left in eval mode by the caller: must stay so
    with pytest.raises(RuntimeError, match="boom"):
        activations(model, np.arange(40.0).reshape(20, 2), batch_size=4)
    assert all(not module.hooks for module in model.modules())
    assert model.training and model.children_["conv"].training and not model.children_["head"].training


def test_fake_torch_module_that_never_runs_is_named(fake_torch: Any) -> None:
    model = fake_net(fake_torch)
    model.children_["spare"] = fake_torch.Module()
    with pytest.raises(ValueError, match=r"'spare' ran 0 times"):
        activations(model, np.zeros((3, 2)))
