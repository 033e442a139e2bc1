"""How much the age term has left to give: the age classifier C on G's own faces.

The fine-tune's age term (train.py, hybrid_terms) asks a frozen classifier C to read
G(z, y) as y. Once C already does, for every category and with confidence, the term's
gradient is spent: a longer fine-tune, or more weight on one category, asks G for
nothing new, whatever another age estimator thinks of the faces (docs/EVAL.md, History,
"v0.5.0 over its four held-out hundreds"). This prints, per requested category, over random
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

import json
import os

import torch

from .age_classifier import AgeClassifier, load_classifier
from .augment import jitter
from .export import read_export_classifier
from .nets import N_AGES, Generator
from .probe_mark import load_generator, prior_latents, probe_parser
from .train import one_hot


@torch.no_grad()
def measure(g: Generator, c: AgeClassifier, z: torch.Tensor) -> dict:
    """Per category: C's accuracy and mean probability for it, plain and jittered."""
    rows = {"accuracy": [], "probability": [], "jitteredAccuracy": [], "jitteredProbability": []}
    for a in range(N_AGES):
        faces = g(z, one_hot(torch.full((z.shape[0],), a)))
        for (acc_key, prob_key), x in ((("accuracy", "probability"), faces),
                                       (("jitteredAccuracy", "jitteredProbability"), jitter(faces))):
            p = torch.softmax(c(x), 1)
            rows[acc_key].append(round((p.argmax(1) == a).float().mean().item(), 4))
            rows[prob_key].append(round(p[:, a].mean().item(), 4))
    return rows


def main(argv=None) -> None:
    p = probe_parser(__doc__, faces=256)
    p.add_argument("--classifier", help="age classifier: a checkpoint (age_classifier.py) or an export folder "
                                        "that ships one; default: each source's own")
    args = p.parse_args(argv)
    z = prior_latents(args)
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
