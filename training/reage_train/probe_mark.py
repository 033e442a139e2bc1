"""How strongly a generator marks one age category: the 50-59 nose mark, measured.

v0.3.0's fine-tune taught G to draw a dark, greenish triangle under the nose tip at
50-59 (docs/EVAL.md, History, "Where the 50-59 mark comes from"). By eye it is easy to see and
hard to compare between runs, so this measures it on many random latents: for each z,
how much darker and greener G(z, y_target) is than the mean of its two neighbouring
categories, inside a small box. The box is where the first generator given darkens
most, unless --at fixes it; the later ones are measured in the same place.

  python3 -m reage_train.probe_mark ../.cache/torch-v040 runs/ft-balanced/gan.pt

Each source is an export folder (export.py's, or model-to-torch.ts's) or a stage-1
checkpoint (gan.pt). Prints one JSON line per source.
"""
from __future__ import annotations

import argparse
import json
import os

import torch

from .export import read_export
from .nets import N_AGES, Z_DIM, Generator
from .train import one_hot


def load_generator(source: str) -> Generator:
    if os.path.isdir(source):
        return read_export(source)[0].eval()
    ck = torch.load(source, map_location="cpu")
    g = Generator(ck["width"])
    g.load_state_dict(ck["G"])
    return g.eval()


def _luma(t: torch.Tensor) -> torch.Tensor:
    return 0.299 * t[:, 0] + 0.587 * t[:, 1] + 0.114 * t[:, 2]


def _green(t: torch.Tensor) -> torch.Tensor:
    return t[:, 1] - 0.5 * (t[:, 0] + t[:, 2])


def mark_maps(g: Generator, z: torch.Tensor, category: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Per face and pixel: how much darker, and how much greener, G(z, category) is than
    the mean of G at the neighbouring categories (the one neighbour at either end)."""
    neighbours = [c for c in (category - 1, category + 1) if 0 <= c < N_AGES]
    with torch.no_grad():
        at = g(z, one_hot(torch.full((len(z),), category)))
        around = [g(z, one_hot(torch.full((len(z),), c))) for c in neighbours]
    darker = sum(_luma(t) for t in around) / len(around) - _luma(at)
    greener = _green(at) - sum(_green(t) for t in around) / len(around)
    return darker, greener


def measure(g: Generator, z: torch.Tensor, category: int, at: tuple[int, int] | None, radius: int = 3) -> dict:
    darker, greener = mark_maps(g, z, category)
    if at is None:
        flat = int(darker.mean(0).argmax())
        at = (flat // darker.shape[2], flat % darker.shape[2])
    r, c = at
    box = (slice(None), slice(max(r - radius, 0), r + radius + 1), slice(max(c - radius, 0), c + radius + 1))
    d, gr = darker[box].mean((1, 2)), greener[box].mean((1, 2))
    return {"at": list(at), "darker": round(float(d.mean()), 4), "share_darker_0.1": round(float((d > 0.1).float().mean()), 3),
            "greener": round(float(gr.mean()), 4), "share_greener_0.05": round(float((gr > 0.05).float().mean()), 3)}


def probe_parser(doc: str, faces: int) -> argparse.ArgumentParser:
    """The arguments every probe of G's prior takes: its sources, how many latents, the seed."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sources", nargs="+", help="export folders or gan.pt checkpoints")
    p.add_argument("--faces", type=int, default=faces)
    p.add_argument("--seed", type=int, default=1)
    return p


def prior_latents(args: argparse.Namespace) -> torch.Tensor:
    """The probe's latents, drawn once so every source is measured on the same faces (one thread:
    the figures do not depend on the machine's core count)."""
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    return torch.randn(args.faces, Z_DIM)


def main(argv=None) -> None:
    p = probe_parser(__doc__, faces=512)
    p.add_argument("--category", type=int, default=4, help="age category index (default 4, 50-59)")
    p.add_argument("--at", type=int, nargs=2, metavar=("ROW", "COL"), help="centre of the box (default: found)")
    args = p.parse_args(argv)
    z = prior_latents(args)
    at = tuple(args.at) if args.at else None
    for source in args.sources:
        result = measure(load_generator(source), z, args.category, at)
        at = tuple(result["at"])  # the later sources are measured where the first marks
        print(json.dumps({"source": source, "category": args.category, "faces": args.faces, **result}), flush=True)


if __name__ == "__main__":
    main()
