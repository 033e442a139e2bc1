"""A small age-category classifier, used only while training G (never shipped).

In the hybrid recipe the reconstruction term lets G explain a face through z alone;
the age condition y then barely changes the output, and a re-aged face looks like the
original. A frozen classifier C, trained here on the real training crops, gives G a
direct age signal: C(G(z, y')) should say y' for any y' (as in AC-GAN, Odena et al.
2017, and IPCGAN, Wang et al. 2018, with the classifier outside D so that D keeps
the paper's shape). Measuring age uses an independent estimator (`reage eval`), not C.

  python3 -m reage_train.age_classifier --data ../.cache/utkface64.npz --out runs/age_classifier.pt
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from .augment import jitter
from .data import gender_balance_weights, load_packed, parse_gender
from .nets import BN_EPS, N_AGES, init_weights


class AgeClassifier(nn.Module):
    def __init__(self, width: int = 16):
        super().__init__()
        w = width
        self.net = nn.Sequential(
            nn.Conv2d(3, w, 4, 2, 1), nn.LeakyReLU(0.2, True),  # 32
            nn.Conv2d(w, w * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(w * 2, eps=BN_EPS), nn.LeakyReLU(0.2, True),  # 16
            nn.Conv2d(w * 2, w * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(w * 4, eps=BN_EPS), nn.LeakyReLU(0.2, True),  # 8
            nn.Conv2d(w * 4, w * 8, 4, 2, 1, bias=False), nn.BatchNorm2d(w * 8, eps=BN_EPS), nn.LeakyReLU(0.2, True),  # 4
            nn.Conv2d(w * 8, N_AGES, 4, 1, 0),
        )

    def forward(self, x):
        return self.net(x).view(-1, N_AGES)


def load_classifier(path: str) -> AgeClassifier:
    """The frozen classifier, in inference mode (BatchNorm on its running statistics)."""
    ck = torch.load(path)
    c = AgeClassifier(ck["width"])
    c.load_state_dict(ck["C"])
    return frozen(c)


def frozen(c: AgeClassifier) -> AgeClassifier:
    """C as the age term uses it: inference mode, no gradients into its weights."""
    c.eval()
    for p in c.parameters():
        p.requires_grad_(False)
    return c


def accuracy(c: AgeClassifier, images: np.ndarray, cats: np.ndarray, bs: int = 256) -> float:
    from .train import to_tensor

    c.eval()
    hits = 0
    with torch.no_grad():
        for i in range(0, len(images), bs):
            hits += (c(to_tensor(images[i:i + bs])).argmax(1).numpy() == cats[i:i + bs]).sum()
    return float(hits) / len(images)


def main(argv=None) -> None:
    from .train import random_flip, to_tensor

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--augment", action="store_true",
                   help="train on jittered faces (augment.py), so that C reads coarse age cues only")
    p.add_argument("--balance-gender", action="store_true",
                   help="weigh men and women the same within each age category (data.gender_balance_weights)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    images, cats, names = load_packed(args.data, "train")
    test_images, test_cats, _ = load_packed(args.data, "test")
    if args.limit:
        images, cats, names = images[: args.limit], cats[: args.limit], names[: args.limit]
        test_images, test_cats = test_images[: args.limit], test_cats[: args.limit]
    weights = torch.from_numpy(
        gender_balance_weights(cats, np.array([parse_gender(str(n)) for n in names])) if args.balance_gender
        else np.ones(len(cats), dtype=np.float32))
    c = AgeClassifier(args.width)
    c.apply(init_weights)
    opt = torch.optim.Adam(c.parameters(), lr=args.lr)
    n, bs = len(images), args.batch_size
    for epoch in range(args.epochs):
        c.train()
        perm = np.random.default_rng(args.seed + epoch).permutation(n)
        t0, total = time.time(), 0.0
        for i in range(n // bs):
            idx = perm[i * bs:(i + 1) * bs]
            x = random_flip(to_tensor(images[idx]))
            if args.augment:
                x = jitter(x)
            per_image = F.cross_entropy(c(x), torch.from_numpy(cats[idx]).long(), reduction="none")
            loss = (per_image * weights[idx]).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += loss.item()
        acc = accuracy(c, test_images, test_cats)
        print(json.dumps({"stage": "age_classifier", "epoch": epoch + 1, "loss": total / max(n // bs, 1),
                          "test_accuracy": acc, "seconds": time.time() - t0}), flush=True)
    tmp = args.out + ".tmp"
    torch.save({"C": c.state_dict(), "width": args.width, "test_accuracy": acc, "augment": args.augment,
                "balance_gender": args.balance_gender}, tmp)
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
