"""Sampling designs on the unit hypercube, seeded: random (uncertainty analysis) and Saltelli (Sobol indices).

Every uncertain input owns a block of coordinates (`dims[i]` of them: one per noisy weight, one for a
discrete choice). A design is a matrix u [rows, D] in [0, 1); the evaluation maps it to weights and
choices. Same (n, dims, seed) → the same matrix, on any machine.

Saltelli design (Saltelli et al. 2010, Comput. Phys. Commun. 181:259, §3; radial blocks as in SALib
`saltelli.sample` with groups): base matrices A and B [n, D] from one scrambled Sobol sequence of
dimension 2D; for every input i, AB_i is A with input i's block taken from B. Rows are laid out
A, B, AB_1 … AB_k: n(k + 2) evaluations in all.
"""

from __future__ import annotations

import warnings
from typing import NamedTuple

import numpy as np

__all__ = ["Design", "random_design", "saltelli_design", "blocks", "to_choice"]


class Design(NamedTuple):
    u: np.ndarray  # [rows, D] in [0, 1)
    blocks: tuple[tuple[int, int], ...]  # per input: (first column, end column)
    kind: str  # "uncertainty" | "sobol"
    n: int  # samples (uncertainty) or base samples (sobol)
    seed: int

    @property
    def k(self) -> int:
        return len(self.blocks)

    def rows_of(self, part: str, i: int | None = None) -> slice:
        """Sobol layout: rows of "A", "B" or "AB" (input i)."""
        n = self.n
        if part == "A":
            return slice(0, n)
        if part == "B":
            return slice(n, 2 * n)
        return slice((2 + i) * n, (3 + i) * n)


def blocks(dims) -> tuple[tuple[int, int], ...]:
    out, a = [], 0
    for d in dims:
        out.append((a, a + int(d)))
        a += int(d)
    return tuple(out)


def random_design(n: int, dims, seed: int = 0) -> Design:
    """n independent uniform points (numpy PCG64 seeded with `seed`)."""
    b = blocks(dims)
    D = b[-1][1] if b else 0
    u = np.random.default_rng(seed).random((int(n), D))
    return Design(u, b, "uncertainty", int(n), int(seed))


def saltelli_design(n: int, dims, seed: int = 0) -> Design:
    """The Saltelli (2010) radial design for first-order and total indices of each input (block)."""
    from scipy.stats import qmc

    b = blocks(dims)
    D = b[-1][1] if b else 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # n not a power of 2: balance properties are weaker, still valid
        base = qmc.Sobol(d=2 * D, scramble=True, seed=np.random.default_rng(seed)).random(int(n))
    A, B = base[:, :D], base[:, D:]
    parts = [A, B]
    for lo, hi in b:
        ab = A.copy()
        ab[:, lo:hi] = B[:, lo:hi]
        parts.append(ab)
    return Design(np.concatenate(parts, axis=0), b, "sobol", int(n), int(seed))


def to_choice(u, k: int) -> np.ndarray:
    """U(0, 1) → one of k alternatives, uniformly: floor(u·k), capped at k − 1."""
    return np.minimum((np.asarray(u) * k).astype(np.int64), k - 1)
