"""Benchmark: grandtour.embed_layers against one independent umap-learn call per layer.

    .venv/bin/python bench/embed_layers.py            # 10 layers × 10,000 points × 64-D
    .venv/bin/python bench/embed_layers.py --small    # 3 layers × 2,000 points: a CI smoke run

Both sides embed the same synthetic activations into 15 dimensions in the same process. The
baseline is the obvious loop, ``umap.UMAP(n_components=15).fit_transform(layer)`` per layer
(unseeded, so umap-learn may use every core). embed_layers is seeded and deterministic, which
makes it single-threaded. numba's JIT compilation is done for both before any timing.

Timing order is chain, baseline, chain: the machine this runs on may be shared, and bracketing
the baseline with two chain runs shows how much the load moved (the second chain run must also
reproduce the first bit for bit). Quality is sklearn's trustworthiness (10 neighbours) on a
fixed subsample of 2,000 points, per layer. Results go to bench/results/embed_layers.json
(``--small`` writes embed_layers-small.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python-shim" / "src"))

from grandtour import embed_layers  # noqa: E402
from grandtour.embed import procrustes  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def synthetic_activations(n_layers: int, n: int, d: int = 64, n_clusters: int = 10, seed: int = 0) -> dict[str, np.ndarray]:
    """Activations of a made-up network that learns to separate ``n_clusters`` classes.

    Each class is a 3-D curved manifold (``tanh`` of a latent, through a class-specific linear
    map) buried in heavy isotropic noise, so at the input a point's neighbours are only about
    half its own class. Every later layer is ``ReLU(x W + b)`` with a random He-scaled ``W``,
    plus a small class-dependent shift (what training adds), plus a little fresh noise, then
    standardised (as batch norm would). Consecutive layers therefore share most of their
    structure (about 20–50 % of each point's 15 nearest neighbours carry over to the next layer)
    while the class structure sharpens with depth, as in a real network.
    """
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, n_clusters, n)
    latent = rng.normal(size=(n, 3))
    bases = rng.normal(size=(n_clusters, 3, d))
    x = np.einsum("nk,nkd->nd", np.tanh(latent), bases[labels])
    x += 0.2 * rng.normal(size=(n_clusters, d))[labels] + 1.6 * rng.normal(size=(n, d))
    layers = {}
    for i in range(n_layers):
        if i > 0:
            w = rng.normal(size=(d, d)) * np.sqrt(2.0 / d)
            x = np.maximum(x @ w + 0.1 * rng.normal(size=d), 0.0)
            x += 0.25 * rng.normal(size=(n_clusters, d))[labels] + 0.05 * rng.normal(size=(n, d))
        x = (x - x.mean(axis=0)) / (x.std(axis=0) + 1e-6)
        layers[f"layer {i}"] = x.astype(np.float32)
    return layers


def warm_up(approximate: bool) -> None:
    """Compile every numba function either side will use, on a few hundred points.

    umap-learn (and embed_layers) find exact neighbours below 4,096 points and use NN-descent
    from there on; ``approximate`` says which of the two the measured run will need.
    """
    import umap

    small = synthetic_activations(2, 600, seed=99)
    umap.UMAP(n_components=15, n_epochs=5, force_approximation_algorithm=approximate).fit_transform(small["layer 0"])
    embed_layers(small, cache=False, progress=False, n_epochs=5, warm_epochs=5)


def timed(function: Any) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def consecutive_residuals(embeddings: list[np.ndarray]) -> list[float]:
    """Relative residual of each layer against the one before, after the best rotation."""
    return [procrustes(b, a)[1] for a, b in zip(embeddings, embeddings[1:])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="3 layers × 2,000 points (CI smoke run)")
    parser.add_argument("--layers", type=int, default=None)
    parser.add_argument("--points", type=int, default=None)
    parser.add_argument("--dims", type=int, default=64)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    n_layers = args.layers or (3 if args.small else 10)
    n = args.points or (2_000 if args.small else 10_000)
    out = args.out or RESULTS / ("embed_layers-small.json" if args.small else "embed_layers.json")

    import numba
    import sklearn
    import umap
    from sklearn.manifold import trustworthiness

    layers = synthetic_activations(n_layers, n, args.dims)
    names = list(layers)
    sample = np.sort(np.random.default_rng(1).choice(n, size=min(n, 2_000), replace=False))

    def trust(name: str, embedding: np.ndarray) -> float:
        return float(trustworthiness(layers[name][sample], embedding[sample], n_neighbors=10))

    print(f"{n_layers} layers × {n:,} points × {args.dims}-D → 15-D; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    _, warm_wall, _ = timed(lambda: warm_up(approximate=n >= 4096))
    print(f"numba warm-up (not counted): {warm_wall:.1f} s", flush=True)
    threads = numba.get_num_threads()

    load = [os.getloadavg()[0]]
    chain, chain_wall_1, chain_cpu_1 = timed(lambda: embed_layers(layers, cache=False, progress=False))
    print(f"embed_layers: {chain_wall_1:.1f} s", flush=True)
    load.append(os.getloadavg()[0])

    baseline: dict[str, np.ndarray] = {}
    baseline_walls, baseline_cpus = [], []
    assert numba.get_num_threads() == threads, "something left numba with fewer threads"
    for name in names:
        embedding, wall, cpu = timed(lambda: umap.UMAP(n_components=15).fit_transform(layers[name]))
        baseline[name] = embedding
        baseline_walls.append(wall)
        baseline_cpus.append(cpu)
        print(f"umap.UMAP {name}: {wall:.1f} s", flush=True)
    load.append(os.getloadavg()[0])

    again, chain_wall_2, chain_cpu_2 = timed(lambda: embed_layers(layers, cache=False, progress=False))
    print(f"embed_layers again: {chain_wall_2:.1f} s", flush=True)
    load.append(os.getloadavg()[0])
    reproducible = all(np.array_equal(chain[name], again[name]) for name in names)

    chain_trust = [trust(name, chain[name]) for name in names]
    baseline_trust = [trust(name, baseline[name]) for name in names]
    chain_wall = (chain_wall_1 + chain_wall_2) / 2
    chain_cpu = (chain_cpu_1 + chain_cpu_2) / 2
    baseline_wall, baseline_cpu = sum(baseline_walls), sum(baseline_cpus)
    speedup = baseline_wall / chain_wall
    trust_gap = float(np.mean(baseline_trust) - np.mean(chain_trust))

    print()
    print(f"{'layer':<10} {'trust chain':>12} {'trust umap':>11} {'umap s':>8} {'step chain':>11} {'step umap':>10}")
    chain_steps = [float("nan"), *consecutive_residuals([chain[name] for name in names])]
    umap_steps = [float("nan"), *consecutive_residuals([baseline[name] for name in names])]
    for i, name in enumerate(names):
        print(f"{name:<10} {chain_trust[i]:>12.4f} {baseline_trust[i]:>11.4f} {baseline_walls[i]:>8.1f} "
              f"{chain_steps[i]:>11.3f} {umap_steps[i]:>10.3f}")
    print(f"{'mean':<10} {np.mean(chain_trust):>12.4f} {np.mean(baseline_trust):>11.4f}")
    print()
    print(f"wall time: embed_layers {chain_wall:.1f} s (runs {chain_wall_1:.1f} and {chain_wall_2:.1f}), "
          f"independent umap.UMAP {baseline_wall:.1f} s → speed-up {speedup:.2f}×")
    print(f"CPU time:  embed_layers {chain_cpu:.1f} s, independent umap.UMAP {baseline_cpu:.1f} s "
          f"→ {baseline_cpu / chain_cpu:.2f}×")
    print(f"mean trustworthiness: embed_layers {np.mean(chain_trust):.4f}, umap {np.mean(baseline_trust):.4f} "
          f"(gap {trust_gap:+.4f}); identical on re-run: {reproducible}")
    print(f"target (≥ 3× faster, trustworthiness within 0.01): {'met' if speedup >= 3 and trust_gap <= 0.01 else 'NOT met'}")
    print("('step' = relative residual against the previous layer after the best rotation: "
          "how much the picture moves when the tour switches layers)")

    report = {
        "config": {"layers": n_layers, "points": n, "dims": args.dims, "n_components": 15,
                   "trustworthiness": {"subsample": len(sample), "n_neighbors": 10}},
        "machine": {"cpus": os.cpu_count(), "numba_threads": threads, "load_average": load,
                    "python": platform.python_version(), "numpy": np.__version__, "umap_learn": umap.__version__,
                    "scikit_learn": sklearn.__version__, "numba": numba.__version__},
        "warm_up_seconds": warm_wall,
        "embed_layers": {"wall_seconds": [chain_wall_1, chain_wall_2], "cpu_seconds": [chain_cpu_1, chain_cpu_2],
                         "trustworthiness": dict(zip(names, chain_trust)), "mean_trustworthiness": float(np.mean(chain_trust)),
                         "step_residuals": dict(zip(names[1:], chain_steps[1:])), "reproducible": reproducible},
        "independent_umap": {"wall_seconds": dict(zip(names, baseline_walls)), "cpu_seconds": dict(zip(names, baseline_cpus)),
                             "trustworthiness": dict(zip(names, baseline_trust)),
                             "mean_trustworthiness": float(np.mean(baseline_trust)),
                             "step_residuals": dict(zip(names[1:], umap_steps[1:]))},
        "speedup_wall": speedup,
        "speedup_cpu": baseline_cpu / chain_cpu,
        "trustworthiness_gap": trust_gap,
        "target_met": bool(speedup >= 3 and trust_gap <= 0.01),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
