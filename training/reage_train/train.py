"""The three-stage Age-cGAN trainer (stages 1 and 2; stage 3 is per-image, in the engine).

  python3 -m reage_train.train gan     --data .cache/utkface64.npz --run training/runs/default
  python3 -m reage_train.train encoder --data .cache/utkface64.npz --run training/runs/default

Every epoch (or --checkpoint-every steps) writes an atomic checkpoint, appends to
log.jsonl and saves a sample grid (one fixed z per row, the six ages across), so a
killed run loses at most one checkpoint interval and `--resume` continues it.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import time

import numpy as np
import torch
import torch.nn.functional as F

from .augment import jitter
from .data import load_packed
from .nets import N_AGES, Z_DIM, Discriminator, Encoder, Generator, init_weights


def one_hot(cats: torch.Tensor) -> torch.Tensor:
    return F.one_hot(cats.long(), N_AGES).float()


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 NHWC -> float NCHW in [-1, 1]."""
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)


def random_flip(x: torch.Tensor) -> torch.Tensor:
    """Mirror a random half of the batch (in place), the training augmentation."""
    flip = torch.rand(x.shape[0]) < 0.5
    x[flip] = x[flip].flip(3)
    return x


def atomic_save(obj, path: str) -> None:
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def save_grid(G: Generator, z: torch.Tensor, path: str) -> None:
    """Rows: fixed latents; columns: the six age categories."""
    from PIL import Image

    G.eval()
    with torch.no_grad():
        rows = []
        for i in range(z.shape[0]):
            zz = z[i : i + 1].repeat(N_AGES, 1)
            y = one_hot(torch.arange(N_AGES))
            rows.append(G(zz, y))
        x = torch.cat(rows)  # [R*6, 3, 64, 64]
    G.train()
    x = ((x.clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
    r, s = z.shape[0], x.shape[1]
    grid = x.reshape(r, N_AGES, s, s, 3).transpose(0, 2, 1, 3, 4).reshape(r * s, N_AGES * s, 3)
    tmp = path + ".tmp.png"
    Image.fromarray(grid).save(tmp)
    os.replace(tmp, path)


class RunLog:
    def __init__(self, run_dir: str):
        self.path = os.path.join(run_dir, "log.jsonl")

    def write(self, **rec) -> None:
        rec["time"] = time.time()
        with open(self.path, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(json.dumps(rec), flush=True)


def chroma_shift(a: torch.Tensor, b: torch.Tensor, cell: int = 4) -> torch.Tensor:
    """Mean difference in colour (not brightness) between two batches, per 4x4 cell.

    Ageing darkens, lightens and wrinkles skin; it does not paint it green or purple.
    Against a robust age classifier, G found exactly that: local colour blotches that
    the classifier (and face-api's age net) read as age. Penalising the change of each
    cell's chroma (RGB minus luma) between the re-aged face and the face at its own age
    leaves luminance cues (wrinkles, shading) free.
    """
    def chroma(t):
        luma = 0.299 * t[:, 0:1] + 0.587 * t[:, 1:2] + 0.114 * t[:, 2:3]
        return F.avg_pool2d(t - luma, cell)
    return (chroma(a) - chroma(b)).abs().mean()


def hybrid_terms(G, E, C, x, y, fake, y_fake, z, args) -> tuple[torch.Tensor, float]:
    """Extra generator/encoder terms of the hybrid recipe.

    The plain cGAN (the paper's recipe) collapsed on this CPU budget: G came to
    ignore z (every row of the sample grid the same face) and then diverged
    (training/README.md). Tying G to real faces through E, as autoencoding GANs do
    (CAAE, Zhang et al. 2017; VAE-GAN), makes G use z from the first epoch:
      - reconstruction: G(E(x), y_true) ~ x (L1), so z carries identity;
      - latent recovery: E(G(z, y)) ~ z, the paper's stage-2 objective, trained jointly;
      - prior matching: the batch of E(x) has zero mean and unit variance per
        dimension, so encoded faces live where G was trained adversarially.
    The adversarial term on G(z, y) with random y was meant to keep y meaningful, but
    with reconstruction in play G learnt to explain faces through z and y hardly
    changed the output (in a first hybrid run the six ages of a face came out
    near-identical). With --age-classifier, a frozen age classifier C (age_classifier.py)
    adds an AC-GAN-style term: C(G(E(x), y')) = y' for random y', and C(G(z, y)) = y.
    Returns the weighted sum and the reconstruction L1 (for the log).
    """
    z_real = E(x)
    own = G(z_real, y)
    rec = F.l1_loss(own, x)
    lat = F.mse_loss(E(fake), z)
    prior = z_real.mean(0).pow(2).mean() + (z_real.var(0) - 1).pow(2).mean()
    total = args.rec_weight * rec + args.latent_weight * lat + args.prior_weight * prior
    if C is not None:
        # Re-age the real faces to random categories (and judge the random-z samples):
        # the frozen classifier must read the requested category off G's output.
        cats = torch.randint(0, N_AGES, (x.shape[0],))
        aged = G(z_real, one_hot(cats))
        judged = (jitter(aged), jitter(fake)) if args.age_jitter else (aged, fake)
        total = total + args.age_weight * (F.cross_entropy(C(judged[0]), cats) +
                                           F.cross_entropy(C(judged[1]), y_fake.argmax(1)))
        if args.age_chroma_weight:
            total = total + args.age_chroma_weight * chroma_shift(aged, own)
    return total, rec.item()


def train_gan(args) -> None:
    torch.manual_seed(args.seed)
    os.makedirs(args.run, exist_ok=True)
    images, cats, _ = load_packed(args.data, "train")
    if args.limit:
        images, cats = images[: args.limit], cats[: args.limit]
    n = len(images)
    G, D = Generator(args.width), Discriminator(args.width)
    G.apply(init_weights)
    D.apply(init_weights)
    hybrid = args.recipe == "hybrid"
    # In the hybrid recipe E trains with G from the start (see hybrid_terms); its
    # weights are then the starting point of stage 2.
    E = Encoder(args.width) if hybrid else None
    C = None
    if args.age_classifier:
        if not hybrid:
            raise SystemExit("--age-classifier needs --recipe hybrid")
        from .age_classifier import load_classifier
        C = load_classifier(args.age_classifier)
    if E is not None:
        E.apply(init_weights)
    gen_params = list(G.parameters()) + (list(E.parameters()) if E is not None else [])
    # The paper's recipe: Adam, lr 2e-4, beta1 0.5 (DCGAN).
    optG = torch.optim.Adam(gen_params, lr=args.lr, betas=(0.5, 0.999))
    optD = torch.optim.Adam(D.parameters(), lr=args.lr, betas=(0.5, 0.999))
    ckpt_path = os.path.join(args.run, "gan.pt")
    state = {"epoch": 0, "step": 0}
    fixed_z = torch.randn(8, Z_DIM, generator=torch.Generator().manual_seed(1234))
    if args.init_from and not (args.resume and os.path.exists(ckpt_path)):
        # Fine-tune a finished model (an export folder, e.g. a shipped model converted
        # back by scripts/model-to-torch.ts): its G, D and E, its epoch/step count,
        # fresh Adam moments (a model folder does not keep the optimiser's state).
        from .export import read_export
        G0, D0, E0, meta = read_export(args.init_from)
        if meta["width"] != args.width or (E is not None and meta["encoderWidth"] != args.width):
            raise SystemExit(f"{args.init_from}: width {meta['width']}/{meta['encoderWidth']}, but --width {args.width}")
        G.load_state_dict(G0.state_dict()); D.load_state_dict(D0.state_dict())
        if E is not None:
            E.load_state_dict(E0.state_dict())
        state = {"epoch": meta["gan"]["epochs"], "step": meta["gan"]["steps"]}
        print(f"initialised from {args.init_from} at epoch {state['epoch']} step {state['step']}", flush=True)
    if args.resume and os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        if ck.get("recipe", "paper") != args.recipe:
            raise SystemExit(f"{ckpt_path} was trained with --recipe {ck.get('recipe', 'paper')}; resume with the same recipe")
        G.load_state_dict(ck["G"]); D.load_state_dict(ck["D"])
        if E is not None:
            E.load_state_dict(ck["E"])
        optG.load_state_dict(ck["optG"]); optD.load_state_dict(ck["optD"])
        state = ck["state"]
        torch.set_rng_state(ck["rng"])
        print(f"resumed at epoch {state['epoch']} step {state['step']}", flush=True)
    log = RunLog(args.run)
    bs = args.batch_size
    steps_per_epoch = n // bs
    # Label smoothing on real targets keeps D from saturating on small data.
    real_t, fake_t = 0.9, 0.0

    def checkpoint():
        ck = {"G": G.state_dict(), "D": D.state_dict(), "optG": optG.state_dict(), "optD": optD.state_dict(),
              "state": state, "rng": torch.get_rng_state(), "width": args.width, "recipe": args.recipe}
        if E is not None:
            ck["E"] = E.state_dict()
        atomic_save(ck, ckpt_path)

    while state["epoch"] < args.epochs:
        perm = torch.from_numpy(np.random.default_rng(args.seed + state["epoch"]).permutation(n))
        start_step = state["step"] % steps_per_epoch if state["step"] else 0
        t0, sums = time.time(), {"d": 0.0, "g": 0.0, "k": 0}
        for i in range(start_step, steps_per_epoch):
            idx = perm[i * bs : (i + 1) * bs].numpy()
            x = to_tensor(images[idx])
            if args.flip:
                random_flip(x)
            y = one_hot(torch.from_numpy(cats[idx]))
            z = torch.randn(bs, Z_DIM)
            y_fake = one_hot(torch.randint(0, N_AGES, (bs,)))
            fake = G(z, y_fake)
            # D step: real pairs (x, y) vs generated pairs (G(z, y'), y').
            d_real = D(x, y)
            d_fake = D(fake.detach(), y_fake)
            loss_d = F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, real_t)) + \
                F.binary_cross_entropy_with_logits(d_fake, torch.full_like(d_fake, fake_t))
            optD.zero_grad(set_to_none=True)
            loss_d.backward()
            optD.step()
            # G step (non-saturating loss).
            d_gen = D(fake, y_fake)
            loss_g = F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen))
            if E is not None:
                extra, rec = hybrid_terms(G, E, C, x, y, fake, y_fake, z, args)
                loss_g = loss_g + extra
                sums["rec"] = sums.get("rec", 0.0) + rec
            optG.zero_grad(set_to_none=True)
            loss_g.backward()
            optG.step()
            if not (math.isfinite(loss_d.item()) and math.isfinite(loss_g.item())):
                raise SystemExit(f"non-finite loss at step {state['step']}: D {loss_d.item()} G {loss_g.item()}")
            state["step"] += 1
            sums["d"] += loss_d.item(); sums["g"] += loss_g.item(); sums["k"] += 1
            if state["step"] % args.log_every == 0:
                k = max(sums["k"], 1)
                extra = {"loss_rec": sums["rec"] / k} if "rec" in sums else {}
                log.write(stage="gan", epoch=state["epoch"], step=state["step"], loss_d=sums["d"] / k,
                          loss_g=sums["g"] / k, **extra, images_per_s=k * bs / (time.time() - t0))
                t0, sums = time.time(), {"d": 0.0, "g": 0.0, "k": 0}
            if args.checkpoint_every and state["step"] % args.checkpoint_every == 0:
                checkpoint()
            if args.max_steps and state["step"] >= args.max_steps:
                break
        if not (args.max_steps and state["step"] >= args.max_steps) or state["step"] % steps_per_epoch == 0:
            state["epoch"] += 1
        # Keep the previous epoch's checkpoint: a GAN can collapse within a few hundred
        # steps (a CPU run of this trainer did), and this is the way back.
        if os.path.exists(ckpt_path):
            os.replace(ckpt_path, os.path.join(args.run, "gan-prev.pt"))
        checkpoint()
        save_grid(G, fixed_z, os.path.join(args.run, f"samples_gan_epoch{state['epoch']:03d}.png"))
        log.write(stage="gan", event="epoch_end", epoch=state["epoch"], step=state["step"])
        if args.max_steps and state["step"] >= args.max_steps:
            break


def train_encoder(args) -> None:
    """Stage 2: E learns z from (z, G(z, y)) pairs with a Euclidean loss on z.

    With --real-weight > 0, E is also refined on real training faces (G frozen):
    L1(G(E(x), y_x), x). The pairs alone teach E to invert G on G's own samples; real
    faces are off that manifold, and on them a pairs-only stage 2 made the hybrid run's
    jointly trained E worse (training/README.md has the figures), while z0 = E(x) is
    what the per-image optimisation starts from.
    """
    torch.manual_seed(args.seed)
    ck = torch.load(os.path.join(args.run, "gan.pt"))
    G = Generator(ck["width"])
    G.load_state_dict(ck["G"])
    G.eval()
    for p in G.parameters():
        p.requires_grad_(False)
    E = Encoder(ck["width"])
    if "E" in ck:
        E.load_state_dict(ck["E"])  # hybrid recipe: stage 2 fine-tunes the jointly trained E
    else:
        E.apply(init_weights)
    opt = torch.optim.Adam(E.parameters(), lr=args.lr, betas=(0.5, 0.999))
    path = os.path.join(args.run, "encoder.pt")
    state = {"step": 0}
    if args.resume and os.path.exists(path):
        ek = torch.load(path)
        E.load_state_dict(ek["E"]); opt.load_state_dict(ek["opt"]); state = ek["state"]
        print(f"resumed encoder at step {state['step']}", flush=True)
    log = RunLog(args.run)
    bs = args.batch_size
    real = None
    if args.real_weight > 0:
        images, cats, _ = load_packed(args.data, "train")
        real = (images[: args.limit], cats[: args.limit]) if args.limit else (images, cats)
        # a stream of its own, so that resuming does not replay the same batches
        pick = np.random.default_rng(args.seed + state["step"])
    t0, acc, acc_rec, k = time.time(), 0.0, 0.0, 0
    while state["step"] < args.encoder_steps:
        with torch.no_grad():
            z = torch.randn(bs, Z_DIM)
            y = one_hot(torch.randint(0, N_AGES, (bs,)))
            x = G(z, y)
        loss_z = F.mse_loss(E(x), z, reduction="none").sum(1).mean()
        loss = loss_z
        if real is not None:
            idx = pick.integers(0, len(real[0]), bs)
            xr = to_tensor(real[0][idx])
            if args.flip:
                random_flip(xr)
            yr = one_hot(torch.from_numpy(real[1][idx]))
            rec = F.l1_loss(G(E(xr), yr), xr)
            loss = loss + args.real_weight * rec
            acc_rec += rec.item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if not math.isfinite(loss.item()):
            raise SystemExit(f"non-finite encoder loss at step {state['step']}")
        state["step"] += 1
        acc += loss_z.item(); k += 1
        if state["step"] % args.log_every == 0:
            extra = {"loss_rec": acc_rec / k} if real is not None else {}
            log.write(stage="encoder", step=state["step"], loss_z=acc / k, **extra,
                      images_per_s=k * bs / (time.time() - t0))
            t0, acc, acc_rec, k = time.time(), 0.0, 0.0, 0
        if state["step"] % max(args.checkpoint_every or 500, 1) == 0 or state["step"] == args.encoder_steps:
            atomic_save({"E": E.state_dict(), "opt": opt.state_dict(), "state": state, "width": args.width}, path)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("stage", choices=["gan", "encoder"])
    p.add_argument("--data", required=True, help="packed .npz from `python3 -m reage_train.pack`")
    p.add_argument("--run", required=True, help="run folder: checkpoints, log.jsonl, sample grids")
    p.add_argument("--width", type=int, default=64, help="base channel width of every network")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke runs)")
    p.add_argument("--encoder-steps", type=int, default=20000)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--limit", type=int, default=0, help="use only the first N training images")
    p.add_argument("--flip", action="store_true", help="random horizontal flips")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--checkpoint-every", type=int, default=500)
    p.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    p.add_argument("--resume", action="store_true")
    p.add_argument("--init-from", default="", metavar="EXPORT_DIR",
                   help="gan: start from an export folder's G, D and E (fine-tuning; ignored when --resume finds a checkpoint)")
    p.add_argument("--recipe", choices=["paper", "hybrid"], default="paper",
                   help="paper: plain cGAN; hybrid: cGAN plus encoder reconstruction terms (see hybrid_terms)")
    p.add_argument("--rec-weight", type=float, default=10.0)
    p.add_argument("--latent-weight", type=float, default=1.0)
    p.add_argument("--prior-weight", type=float, default=1.0)
    p.add_argument("--age-classifier", default="", help="frozen age classifier checkpoint (hybrid recipe)")
    p.add_argument("--age-weight", type=float, default=1.0)
    p.add_argument("--age-chroma-weight", type=float, default=0.0,
                   help="penalise colour changes between a re-aged face and the face at its own age (see chroma_shift)")
    p.add_argument("--age-jitter", action="store_true",
                   help="C judges G's output through augment.jitter, so faint texture cannot satisfy it")
    p.add_argument("--real-weight", type=float, default=0.0,
                   help="encoder stage: weight of L1(G(E(x), y), x) on real faces (0: pairs only, the paper's stage 2)")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    (train_gan if args.stage == "gan" else train_encoder)(args)


if __name__ == "__main__":
    main()
