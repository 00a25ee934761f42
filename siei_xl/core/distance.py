"""Euclidean distances between countries, and between a country and a group centroid."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.spatial.distance import cdist

FloatArray = npt.NDArray[np.float64]


def pair_distance(points_a: npt.ArrayLike, points_b: npt.ArrayLike) -> FloatArray:
    """Euclidean distance between two countries' standardised points (type 1).

    Parameters
    ----------
    points_a, points_b : array_like, shape (..., n_indicators)
        z-scores of the two countries; leading axes (e.g. years) broadcast.

    Returns
    -------
    ndarray, shape (...)
        NaN wherever either point has a NaN coordinate: a missing value is never zero.

    Notes
    -----
    .. math:: D_{ab} = \\sqrt{\\sum_k (z_{ak} - z_{bk})^2}

    Examples
    --------
    >>> float(pair_distance([0.0, 0.0], [3.0, 4.0]))
    5.0
    """
    diff = np.asarray(points_a, dtype=np.float64) - np.asarray(points_b, dtype=np.float64)
    return np.sqrt(np.sum(diff * diff, axis=-1))


def pairwise_distances(points: npt.ArrayLike) -> FloatArray:
    """All-pairs distance matrix of one year's points.

    Parameters
    ----------
    points : array_like, shape (n_countries, n_indicators)

    Returns
    -------
    ndarray, shape (n_countries, n_countries)
        Symmetric with a zero diagonal; rows and columns of countries with a missing
        coordinate are NaN (the diagonal too: the country has no point that year).

    Examples
    --------
    >>> pairwise_distances([[0.0, 0.0], [3.0, 4.0]]).tolist()
    [[0.0, 5.0], [5.0, 0.0]]
    """
    # C order: scipy's cdist runs about twice as slow on a strided view (a year sliced
    # from a (country, year, indicator) cube).
    z = np.ascontiguousarray(points, dtype=np.float64)
    return cdist(z, z, "euclidean")


def distance_to_centroid(point: npt.ArrayLike, members: npt.ArrayLike) -> FloatArray:
    """Distance from a country's point to the centroid of a group's points (type 2).

    Parameters
    ----------
    point : array_like, shape (..., n_indicators)
    members : array_like, shape (n_members, ..., n_indicators)
        Points of every group member, the group exactly as given (if the country belongs
        to the group it counts in the centroid).

    Returns
    -------
    ndarray, shape (...)

    Notes
    -----
    .. math:: c_k = \\frac{1}{|G|}\\sum_{g \\in G} z_{gk}, \\qquad
              D_{aG} = \\sqrt{\\sum_k (z_{ak} - c_k)^2}

    Examples
    --------
    >>> float(distance_to_centroid([0.0, 0.0], [[2.0, 0.0], [4.0, 0.0]]))
    3.0
    """
    centroid = np.mean(np.asarray(members, dtype=np.float64), axis=0)
    return pair_distance(point, centroid)
