"""How much the age term has left to give: the age classifier C on G's own faces.

The fine-tune's age term (train.py, hybrid_terms) asks a frozen classifier C to read
G(z, y) as y. Once C already does, for every category and with confidence, the term's
gradient is spent: a longer fine-tune, or more weight on one category, asks G for
nothing new, whatever another age estimator thinks of the faces (docs/EVAL.md, "v0.5.0
over its four held-out hundreds"). This prints, per requested category, over random
latents from G's prior, the share of faces C reads as that category and C's mean
probability for it, on the faces as they are and through the jitter the age term
judges them through (augment.jitter).

  python3 -m reage_train.probe_classifier ../.cache/torch-v050 [--classifier runs/c.pt]

A source is an export folder (export.py's, or model-to-torch.ts's for a shipped model)
or a stage-1 checkpoint (gan.pt); C is the export's own unless --classifier gives one
(a checkpoint, or an export folder that ships one: e.g. v0.2.0's G, from before the
fine-tune, judged by v0.5.0's C).
Prints one JSON line per source.
"""
from __future__ import annotations

import argparse
import json
import os

import torch

from .age_classifier import AgeClassifier, load_classifier
from .augment import jitter
from .export import read_export_classifier
from .nets import N_AGES, Z_DIM, Generator
from .probe_mark import load_generator
from .train import one_hot


@torch.no_grad()
def measure(g: Generator, c: AgeClassifier, z: torch.Tensor) -> dict:
    """Per category: C's accuracy and mean probability for it, plain and jittered."""
    rows = {"accuracy": [], "probability": [], "jitteredAccuracy": [], "jitteredProbability": []}
    for a in range(N_AGES):
        faces = g(z, one_hot(torch.full((z.shape[0],), a)))
        for key, x in (("", faces), ("jittered", jitter(faces))):
            p = torch.softmax(c(x), 1)
            acc = (p.argmax(1) == a).float().mean().item()
            prob = p[:, a].mean().item()
            rows[f"{key}Accuracy" if key else "accuracy"].append(round(acc, 4))
            rows[f"{key}Probability" if key else "probability"].append(round(prob, 4))
    return rows


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sources", nargs="+", help="export folders or gan.pt checkpoints")
    p.add_argument("--classifier", help="age classifier: a checkpoint (age_classifier.py) or an export folder "
                                        "that ships one; default: each source's own")
    p.add_argument("--faces", type=int, default=256)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    z = torch.randn(args.faces, Z_DIM)
    shared = None
    if args.classifier:
        is_export = os.path.isdir(args.classifier)
        shared = read_export_classifier(args.classifier) if is_export else load_classifier(args.classifier)
    for source in args.sources:
        if shared is None and not os.path.isdir(source):
            raise SystemExit(f"{source}: a checkpoint carries no classifier; give --classifier")
        c = shared if shared is not None else read_export_classifier(source)
        torch.manual_seed(args.seed + 1)  # the same jitter for every source
        result = measure(load_generator(source), c, z)
        print(json.dumps({"source": source, "faces": args.faces, **result}), flush=True)


if __name__ == "__main__":
    main()
