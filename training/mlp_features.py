"""The MLP's first layer: features it computes from the preprocessed columns, inside the torch
module so that the ONNX copy carries them.

Ratios and log counts from the un-scaled numeric columns, sines and cosines of random projections
of the location, and, once fitted to the training rows, the prices of the training rows near each
location. The layer has no weights: ``TorchMLPRegressor.fit`` computes it once, not every epoch.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

# Engineered features: (numerator, denominator) column indices into NUMERIC_COLUMNS.
RATIOS = ((3, 6), (4, 3), (5, 6), (3, 5))  # rooms/household, bedrooms/room, people/household, rooms/person
LOGGED = (3, 4, 5, 6, 7)  # total_rooms, total_bedrooms, population, households, median_income
# Random Fourier features of the standardized (longitude, latitude): prices vary with place on scales
# from the state down to a neighbourhood, which a ReLU net on raw coordinates learns only slowly.
LOCATION_FREQUENCIES = 32
LOCATION_SCALES = (0.5, 24.0)  # radians per standard deviation of longitude/latitude, log-spaced
# Neighbourhood prices: Gaussian kernels over the location in hundredths of a degree (about 1 km:
# these are about 0.6, 2 and 6 km). The Fourier features let the net learn the regional price map;
# these hand it the prices of the training rows next door, which it cannot memorise from
# coordinates (wider kernels, up to 30 km, added nothing: measured).
NEIGHBOUR_BANDWIDTHS = (0.6, 2.0, 6.0)
NEIGHBOUR_PRIOR = 1e-3


def _location_frequencies() -> torch.Tensor:
    """Fixed [2, F] projection: random directions, log-spaced lengths (the same in every fit)."""
    generator = torch.Generator().manual_seed(0)
    directions = torch.nn.functional.normalize(
        torch.randn(2, LOCATION_FREQUENCIES, generator=generator), dim=0
    )
    low, high = np.log(LOCATION_SCALES)
    lengths = torch.exp(torch.linspace(float(low), float(high), LOCATION_FREQUENCIES))
    return directions * lengths


class EngineeredFeatures(nn.Module):
    """Appends standardized log counts and ratios, computed from the un-scaled numeric columns, sines
    and cosines of random projections of the location and, with ``n_reference`` reference places
    (the distinct locations of the training rows), what the training rows near each location cost
    (``NEIGHBOUR_BANDWIDTHS``)."""

    def __init__(self, n_inputs: int, n_numeric: int, n_reference: int = 0):
        super().__init__()
        self.in_features = n_inputs  # what the ONNX export reads off a network's first layer
        n_extra = len(RATIOS) + len(LOGGED)
        self.register_buffer("location_frequencies", _location_frequencies())
        self.register_buffer("numeric_mean", torch.zeros(n_numeric))
        self.register_buffer("numeric_scale", torch.ones(n_numeric))
        self.register_buffer("extra_mean", torch.zeros(n_extra))
        self.register_buffer("extra_scale", torch.ones(n_extra))
        if n_reference:
            n_neighbour = 2 * len(NEIGHBOUR_BANDWIDTHS)
            self.register_buffer("reference_location", torch.zeros(n_reference, 2))
            # Per place: the sum of its rows' targets and their count.
            self.register_buffer("reference_sums", torch.zeros(n_reference, 2))
            self.register_buffer("neighbour_mean", torch.zeros(n_neighbour))
            self.register_buffer("neighbour_scale", torch.ones(n_neighbour))
        self.n_reference = n_reference

    def places(self, x: torch.Tensor) -> torch.Tensor:
        """Longitude and latitude in whole hundredths of a degree (the data's own grid).

        Whole numbers keep the distances exact in float32: the ONNX copy, whose inputs are float32
        (-119.57 is -119.5699997), then weighs the same neighbours as the native model to the last
        bit, where raw coordinates moved the narrowest kernel's weights by 1e-3.
        """
        degrees = x[:, :2] * self.numeric_scale[:2] + self.numeric_mean[:2]
        return torch.round(degrees * 100.0)

    def fit_reference(self, x: torch.Tensor, target: torch.Tensor) -> None:
        """Keep the rows' distinct places (many districts share one) with their summed targets."""
        places, place = torch.unique(self.places(x), dim=0, return_inverse=True)
        sums = torch.zeros(len(places), 2).index_add_(
            0, place, torch.stack([target, torch.ones_like(target)], 1)
        )
        self.reference_location, self.reference_sums = places, sums
        self.n_reference = len(places)

    def raw_extra(self, x: torch.Tensor) -> torch.Tensor:
        numeric = x[:, : self.numeric_mean.shape[0]] * self.numeric_scale + self.numeric_mean
        # Counts are non-negative; the clamps keep divisions and logs finite on odd inputs.
        ratios = [numeric[:, a] / numeric[:, b].clamp(min=1.0) for a, b in RATIOS]
        logs = [torch.log1p(numeric[:, i].clamp(min=0.0)) for i in LOGGED]
        return torch.stack(ratios + logs, dim=1)

    def raw_neighbours(self, x: torch.Tensor, own_target: torch.Tensor | None = None) -> torch.Tensor:
        """Per bandwidth, the kernel-weighted mean target of the reference rows and log1p of their
        summed weight (how many are that near).

        ``own_target``: the rows of ``x`` are reference rows with these targets, each left out of
        its own neighbourhood (a training row must not see its own price).
        """
        # Differences of whole numbers, exact (|x|^2 + |r|^2 - 2 x.r would round).
        places = self.places(x)
        across = places[:, :1] - self.reference_location[:, 0]
        up = places[:, 1:2] - self.reference_location[:, 1]
        squared = across * across + up * up
        columns = []
        for bandwidth in NEIGHBOUR_BANDWIDTHS:
            # Below e^-30 a weight counts for nothing, and exp of far smaller arguments is many
            # times slower (subnormal results).
            weights = torch.exp((squared * (-0.5 / bandwidth**2)).clamp(min=-30.0))
            # One product gives both the weighted sum of targets and the sum of weights.
            target_sum, weight_sum = (weights @ self.reference_sums).unbind(1)
            if own_target is not None:  # its own place weighs exp(0) = 1 per row
                target_sum, weight_sum = target_sum - own_target, weight_sum - 1.0
            # A prior of weight 1e-3 at the mean target (0, standardized): rows with no neighbour.
            columns.append(target_sum / (weight_sum + NEIGHBOUR_PRIOR))
            columns.append(torch.log1p(weight_sum.clamp(min=0.0)))
        return torch.stack(columns, dim=1)

    def forward(self, x: torch.Tensor, own_target: torch.Tensor | None = None) -> torch.Tensor:
        return self.widen(x, self.raw_neighbours(x, own_target) if self.n_reference else None)

    def widen(self, x: torch.Tensor, neighbours: torch.Tensor | None) -> torch.Tensor:
        """``x`` with its engineered columns, given its :meth:`raw_neighbours` (None without a
        reference set); a fit passes the ones it already computed for the statistics."""
        extra = (self.raw_extra(x) - self.extra_mean) / self.extra_scale
        # Columns 0 and 1 are the standardized longitude and latitude.
        phase = x[:, :2] @ self.location_frequencies
        widened = [x, extra.clamp(-10.0, 10.0), torch.sin(phase), torch.cos(phase)]
        if neighbours is not None:
            widened.append(((neighbours - self.neighbour_mean) / self.neighbour_scale).clamp(-10.0, 10.0))
        return torch.cat(widened, dim=1)

    def n_extra(self) -> int:
        neighbours = 2 * len(NEIGHBOUR_BANDWIDTHS) if self.n_reference else 0
        return len(RATIOS) + len(LOGGED) + 2 * LOCATION_FREQUENCIES + neighbours
