"""Differentiable image jitter for the age term (and for training its classifier).

Why: G learnt to satisfy the frozen age classifier C with faint texture that C (and a
second classifier of the same kind, trained apart) read almost perfectly on re-aged
test faces, while the independent estimators of `reage eval` rarely read the requested
age in them (training/README.md has the figures). Features that survive
random shifts, scaling, blur, colour changes and noise are the coarse ones an age
estimator trained elsewhere also sees (wrinkles, hair, face shape), so C judges G's
output through this jitter (expectation over transformations, Athalye et al. 2018)
and C itself is trained on jittered faces. Colour jitter is global, so G could still
paint age in local colour blotches; train.chroma_shift closes that door.

Every operation is differentiable with respect to the image, so gradients reach G.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def jitter(x: torch.Tensor) -> torch.Tensor:
    """Random per-image geometry, blur, colour and noise; x is N×3×H×W in [-1, 1]."""
    n, _, h, w = x.shape
    # Geometry: shift up to 6% of the size, scale 0.9-1.1, rotate up to 8 degrees.
    angle = (torch.rand(n) * 2 - 1) * math.radians(8)
    scale = 1 + (torch.rand(n) * 2 - 1) * 0.1
    shift = (torch.rand(n, 2) * 2 - 1) * 0.12
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    # Blur for half the batch: down to 32-56 px and back (what upscaling a 64 px crop
    # for a 112-224 px estimator does to fine texture).
    size = int(torch.randint(32, 57, (1,)).item())
    blurred = F.interpolate(F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False,
                                          antialias=True), size=(h, w), mode="bilinear", align_corners=False)
    pick = (torch.rand(n, 1, 1, 1) < 0.5).to(x.dtype)
    x = pick * blurred + (1 - pick) * x
    # Colour: brightness, contrast, saturation.
    grey = x.mean(1, keepdim=True)
    sat = 1 + (torch.rand(n, 1, 1, 1) * 2 - 1) * 0.3
    x = grey + (x - grey) * sat
    mean = x.mean((1, 2, 3), keepdim=True)
    contrast = 1 + (torch.rand(n, 1, 1, 1) * 2 - 1) * 0.2
    bright = (torch.rand(n, 1, 1, 1) * 2 - 1) * 0.15
    x = mean + (x - mean) * contrast + bright
    x = x + torch.randn_like(x) * 0.03
    return x.clamp(-1, 1)
