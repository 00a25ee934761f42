"""Market integration: mutual flows relative to each side's base (SIEI block 1).

A flow ``F[a, b]`` is what country ``a`` reports for its exchange with ``b`` (for trade,
exports to plus imports from ``b``: turnover). A base ``B[a]`` scales it (GDP for trade,
population for migration). Higher scores mean more integration.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
AGGREGATORS: Final = ("harmonic", "min", "geometric")


def dependence_shares(
    flow_ab: float, flow_ba: float, base_a: float, base_b: float
) -> tuple[float, float]:
    """Each side's dependence on the other, by its own report: ``F(a->b)/B_a``, ``F(b->a)/B_b``.

    Examples
    --------
    >>> dependence_shares(30.0, 30.0, 100.0, 100.0)
    (0.3, 0.3)
    """
    return flow_ab / base_a, flow_ba / base_b


def pair_score(share_a: float, share_b: float, aggregator: str = "harmonic") -> float:
    """Symmetric pair score from the two dependence shares.

    Parameters
    ----------
    share_a, share_b : float
        Non-negative dependence shares.
    aggregator : {"harmonic", "min", "geometric"}
        ``harmonic`` (default): ``1 / (1/s_a + 1/s_b)``, half the harmonic mean, between
        ``min(s)/2`` and ``min(s)``, so one-sided dependence scores low; when both reports
        agree on the flow ``F`` it equals ``F / (B_a + B_b)``. ``min``: the smaller share.
        ``geometric``: ``sqrt(s_a * s_b)``.

    Notes
    -----
    .. math:: I_{ab} = \\frac{1}{1/s_a + 1/s_b} = \\frac{s_a s_b}{s_a + s_b}

    A zero share (one side does not trade with the other) gives 0 with every aggregator.

    Examples
    --------
    >>> pair_score(0.3, 0.3)
    0.15
    >>> round(pair_score(0.5, 0.1), 4)
    0.0833
    """
    if aggregator == "harmonic":
        total = share_a + share_b
        return 0.0 if total == 0 else share_a * share_b / total
    if aggregator == "min":
        return min(share_a, share_b)
    if aggregator == "geometric":
        return float(np.sqrt(share_a * share_b))
    raise ValueError(f"aggregator must be one of {', '.join(AGGREGATORS)}, got {aggregator!r}")


def country_group_score(flows_to_members: npt.ArrayLike, base: float) -> float:
    """``I_aG = sum_g F(a->g) / B_a`` over the other members ``g`` (own report, own base).

    Examples
    --------
    >>> country_group_score([10.0, 20.0], 200.0)
    0.15
    """
    return float(np.sum(np.asarray(flows_to_members, dtype=np.float64)) / base)


def within_group_score(flows: npt.ArrayLike, bases: npt.ArrayLike) -> float:
    """``I_G = (1/2) sum_g sum_{h != g} F(g->h) / sum_g B_g`` (each pair once on average).

    Parameters
    ----------
    flows : array_like, shape (n, n)
        ``flows[g, h]`` as reported by ``g``; the diagonal is ignored.
    bases : array_like, shape (n,)

    Notes
    -----
    Equals half the base-weighted mean of the members' country-group scores:
    :math:`I_G = \\tfrac12 \\sum_g B_g I_{gG} / \\sum_g B_g`.

    Examples
    --------
    >>> within_group_score([[0.0, 10.0], [10.0, 0.0]], [100.0, 100.0])
    0.05
    """
    f = np.asarray(flows, dtype=np.float64)
    off_diagonal = f[~np.eye(f.shape[0], dtype=bool)]
    return float(0.5 * off_diagonal.sum() / np.sum(np.asarray(bases, dtype=np.float64)))
