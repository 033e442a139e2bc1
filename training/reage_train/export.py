"""Export trained networks as raw float32 weights for scripts/import-weights.ts.

  python3 -m reage_train.export --run runs/default --out ../.cache/export-default \
      [--classifier runs/age_classifier_jitter.pt]
  python3 -m reage_train.export --from-export ../.cache/torch-default --out ../.cache/export-default \
      --classifier runs/age_classifier_jitter.pt   # a shipped model (model-to-torch.ts), C added
  python3 -m reage_train.export --random --width 16 --out /tmp/x     # tests only

Writes to OUT:
  generator.json / .bin, discriminator.json / .bin, encoder.json / .bin
  age-classifier.json / .bin, with --classifier (or --random): the frozen age
      classifier C (age_classifier.py) that detail refinement's age term reads
      .json: [{name, shape, offset}] in PyTorch state_dict naming and order, offset in
      bytes into the .bin (float32, little-endian, C order, PyTorch layouts: the
      importer transposes). BatchNorm running_mean / running_var are included;
      num_batches_tracked (an integer counter, unused at inference) is not.
  fixtures.json
      fixed inputs and the eval-mode outputs PyTorch computes for them, images NHWC,
      so the importer and the parity test can check tfjs reproduces PyTorch.
  export.json
      width, encoderWidth, what was trained (epochs / steps from the checkpoints),
      the classifier's width and test accuracy, whether the nets are random, timestamp.

No file is replaced until its new content is complete (temp file + rename).
"""
from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import torch
import torch.nn as nn

from .age_classifier import AgeClassifier, frozen, load_classifier
from .nets import N_AGES, Z_DIM, IMAGE_SIZE, Discriminator, Encoder, Generator, init_weights

FORMAT = 1
# Fixture inputs: a few of each, from fixed seeds so re-exports are comparable.
FIXTURE_BATCH = 3
FIXTURE_SEED = 20170728
G_CATEGORIES = [0, 2, 5]
D_CATEGORIES = [1, 3, 4]


def _write_atomic(path: str, data: bytes) -> None:
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _write_json(path: str, obj) -> None:
    _write_atomic(path, json.dumps(obj, separators=(",", ":")).encode())


def weight_entries(module: nn.Module) -> tuple[list[dict], bytes]:
    """state_dict -> ([{name, shape, offset}], float32 LE bytes), skipping integer buffers."""
    entries, chunks, offset = [], [], 0
    for name, t in module.state_dict().items():
        if not t.is_floating_point():
            continue  # num_batches_tracked
        data = t.detach().cpu().contiguous().numpy().astype("<f4").tobytes()
        entries.append({"name": name, "shape": list(t.shape), "offset": offset})
        chunks.append(data)
        offset += len(data)
    return entries, b"".join(chunks)


def load_entries(module: nn.Module, entries: list[dict], data: bytes, what: str) -> None:
    """The inverse of weight_entries: copy ({name, shape, offset}, float32 LE bytes) into module.

    Every floating-point state_dict tensor must be given, with its shape, and nothing
    else: a mismatch means the export and nets.py describe different networks.
    """
    state = module.state_dict()
    given = {}
    for e in entries:
        name, shape, offset = e["name"], tuple(e["shape"]), e["offset"]
        if name not in state:
            raise SystemExit(f"{what}: '{name}' has no place in nets.py's {type(module).__name__}")
        if tuple(state[name].shape) != shape:
            raise SystemExit(f"{what}: '{name}' is {list(shape)}, nets.py expects {list(state[name].shape)} (another width?)")
        count = int(np.prod(shape)) if shape else 1
        if offset + 4 * count > len(data):
            raise SystemExit(f"{what}: '{name}' runs past the end of the weights file")
        given[name] = torch.from_numpy(np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()).reshape(shape)
    missing = [k for k, t in state.items() if t.is_floating_point() and k not in given]
    if missing:
        raise SystemExit(f"{what}: no weights for {', '.join(missing)}")
    # num_batches_tracked (integer, unused at inference) is not exported: keep the module's own
    module.load_state_dict({**state, **given})


def read_export(path: str) -> tuple[Generator, Discriminator, Encoder, dict]:
    """Networks from an export folder: this module's output, or scripts/model-to-torch.ts's
    (a shipped model folder converted back), so a shipped model can be fine-tuned."""
    meta_path = os.path.join(path, "export.json")
    if not os.path.exists(meta_path):
        raise SystemExit(f"{meta_path} not found: not an export folder (python3 -m reage_train.export, "
                         "or npx tsx scripts/model-to-torch.ts for a model folder)")
    with open(meta_path) as f:
        meta = json.load(f)
    if meta.get("format") != FORMAT or meta.get("imageSize") != IMAGE_SIZE or meta.get("zDim") != Z_DIM:
        raise SystemExit(f"{meta_path}: format {meta.get('format')}, {meta.get('imageSize')} px, "
                         f"z {meta.get('zDim')}; expected {FORMAT}, {IMAGE_SIZE}, {Z_DIM}")
    nets = {"generator": Generator(meta["width"]), "discriminator": Discriminator(meta["width"]),
            "encoder": Encoder(meta["encoderWidth"])}
    for name, net in nets.items():
        with open(os.path.join(path, f"{name}.json")) as f:
            entries = json.load(f)
        with open(os.path.join(path, f"{name}.bin"), "rb") as f:
            data = f.read()
        load_entries(net, entries, data, os.path.join(path, name))
    return nets["generator"], nets["discriminator"], nets["encoder"], meta


def read_export_classifier(path: str) -> AgeClassifier:
    """The age classifier C an export folder ships (age-classifier.json/.bin, with the
    width export.json records), in inference mode and frozen, as load_classifier gives it."""
    meta_path = os.path.join(path, "export.json")
    with open(meta_path) as f:
        meta = json.load(f)
    info = meta.get("ageClassifier")
    if not info:
        raise SystemExit(f"{meta_path}: this export ships no age classifier (export.py --classifier)")
    c = AgeClassifier(info["width"])
    with open(os.path.join(path, "age-classifier.json")) as f:
        entries = json.load(f)
    with open(os.path.join(path, "age-classifier.bin"), "rb") as f:
        data = f.read()
    load_entries(c, entries, data, os.path.join(path, "age-classifier"))
    return frozen(c)


def _tensor_json(t: torch.Tensor) -> dict:
    return {"shape": list(t.shape), "data": t.detach().cpu().float().reshape(-1).tolist()}


def _nhwc(x: torch.Tensor) -> torch.Tensor:
    return x.permute(0, 2, 3, 1).contiguous()


def _one_hot(cats: list[int]) -> torch.Tensor:
    return nn.functional.one_hot(torch.tensor(cats), N_AGES).float()


def fixtures(G: Generator, D: Discriminator, E: Encoder, C: AgeClassifier | None = None) -> dict:
    """Eval-mode outputs on fixed inputs: what tfjs must reproduce."""
    gen = torch.Generator().manual_seed(FIXTURE_SEED)
    z = torch.randn(FIXTURE_BATCH, Z_DIM, generator=gen)
    x = torch.rand(FIXTURE_BATCH, 3, IMAGE_SIZE, IMAGE_SIZE, generator=gen) * 2 - 1
    y_g, y_d = _one_hot(G_CATEGORIES), _one_hot(D_CATEGORIES)
    for m in (G, D, E, C):
        if m is not None:
            m.eval()
    with torch.no_grad():
        g_out, e_out, d_out = G(z, y_g), E(x), D(x, y_d)
        c_out = C(x) if C is not None else None
    out = {
        "layout": "NHWC",
        "generator": {"z": _tensor_json(z), "y": _tensor_json(y_g), "out": _tensor_json(_nhwc(g_out))},
        "encoder": {"x": _tensor_json(_nhwc(x)), "out": _tensor_json(e_out)},
        # D returns [N]; tfjs returns [N, 1]: same numbers, stored as [N, 1].
        "discriminator": {"x": _tensor_json(_nhwc(x)), "y": _tensor_json(y_d), "out": _tensor_json(d_out[:, None])},
    }
    if c_out is not None:
        out["ageClassifier"] = {"x": _tensor_json(_nhwc(x)), "out": _tensor_json(c_out)}
    return out


def _randomise(net: nn.Module, *inputs: torch.Tensor) -> None:
    """Random but non-degenerate weights, for tests.

    Biases and BN affine parameters are made non-zero / non-one, and BN running
    statistics are set from one training-mode pass, so every parameter the importer
    maps affects the outputs and activations keep a useful scale: a mis-mapped
    tensor then shows up far above the parity tolerance.
    """
    net.apply(init_weights)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)) and m.bias is not None:
                m.bias.normal_(0.0, 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                m.weight.normal_(1.0, 0.2)
                m.bias.normal_(0.0, 0.2)
                m.reset_running_stats()
                m.momentum = None  # cumulative average: the stats of the pass below
        net.train()
        net(*inputs)
    for m in net.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.1
    net.eval()


def random_nets(width: int, seed: int = 0) -> tuple[Generator, Discriminator, Encoder, AgeClassifier]:
    torch.manual_seed(seed)
    G, D, E, C = Generator(width), Discriminator(width), Encoder(width), AgeClassifier(width)
    n = 64
    z, y = torch.randn(n, Z_DIM), _one_hot(torch.randint(0, N_AGES, (n,)).tolist())
    _randomise(G, z, y)
    x = torch.rand(n, 3, IMAGE_SIZE, IMAGE_SIZE) * 2 - 1
    _randomise(D, x, y)
    _randomise(E, x)
    _randomise(C, x)
    return G, D, E, C


def trained_nets(run: str) -> tuple[Generator, Discriminator, Encoder, dict]:
    gan_path, enc_path = os.path.join(run, "gan.pt"), os.path.join(run, "encoder.pt")
    for path, stage in ((gan_path, "gan"), (enc_path, "encoder")):
        if not os.path.exists(path):
            raise SystemExit(f"{path} not found: train stage '{stage}' first (python3 -m reage_train.train {stage} ...)")
    ck = torch.load(gan_path, map_location="cpu")
    G, D = Generator(ck["width"]), Discriminator(ck["width"])
    G.load_state_dict(ck["G"])
    D.load_state_dict(ck["D"])
    ek = torch.load(enc_path, map_location="cpu")
    E = Encoder(ek["width"])
    E.load_state_dict(ek["E"])
    info = {
        "width": ck["width"],
        "encoderWidth": ek["width"],
        "random": False,
        "gan": {"epochs": ck["state"]["epoch"], "steps": ck["state"]["step"]},
        "encoder": {"steps": ek["state"]["step"]},
    }
    return G, D, E, info


def trained_classifier(path: str) -> tuple[AgeClassifier, dict]:
    if not os.path.exists(path):
        raise SystemExit(f"{path} not found: train it first (python3 -m reage_train.age_classifier --augment ...)")
    ck = torch.load(path, map_location="cpu")
    return load_classifier(path), {"width": ck["width"], "testAccuracy": ck.get("test_accuracy"),
                                   "jittered": bool(ck.get("augment"))}


def exported_nets(path: str) -> tuple[Generator, Discriminator, Encoder, dict]:
    """G, D and E of an export folder, with what it says was trained: re-exporting one
    (e.g. a shipped model, via model-to-torch.ts) adds a classifier without a run folder."""
    G, D, E, meta = read_export(path)
    info = {k: meta[k] for k in ("width", "encoderWidth", "gan", "encoder")}
    info["random"] = bool(meta.get("random"))
    return G, D, E, info


def export(out: str, run: str | None = None, random: bool = False, width: int = 64, seed: int = 0,
           classifier: str | None = None, from_export: str | None = None) -> dict:
    C = None
    if random:
        G, D, E, C = random_nets(width, seed)
        info = {"width": width, "encoderWidth": width, "random": True,
                "gan": {"epochs": 0, "steps": 0}, "encoder": {"steps": 0},
                "ageClassifier": {"width": width, "testAccuracy": None, "jittered": False}}
    else:
        if bool(run) == bool(from_export):
            raise SystemExit("give one of --run or --from-export (or --random)")
        if from_export and os.path.abspath(from_export) == os.path.abspath(out):
            raise SystemExit("--from-export and --out must be different folders")
        G, D, E, info = trained_nets(run) if run else exported_nets(from_export)
        if classifier:
            C, info["ageClassifier"] = trained_classifier(classifier)
    os.makedirs(out, exist_ok=True)
    # export.json marks a complete export: drop an older one before touching the rest.
    meta_path = os.path.join(out, "export.json")
    if os.path.exists(meta_path):
        os.remove(meta_path)
    nets = [("generator", G), ("discriminator", D), ("encoder", E)] + ([("age-classifier", C)] if C else [])
    for name, net in nets:
        entries, data = weight_entries(net)
        _write_atomic(os.path.join(out, f"{name}.bin"), data)
        _write_json(os.path.join(out, f"{name}.json"), entries)
    if not C:  # an older export's classifier must not pass for this one's
        for ext in ("json", "bin"):
            path = os.path.join(out, f"age-classifier.{ext}")
            if os.path.exists(path):
                os.remove(path)
    _write_json(os.path.join(out, "fixtures.json"), fixtures(G, D, E, C))
    meta = {"format": FORMAT, **info, "run": os.path.abspath(run) if run else None,
            **({"fromExport": os.path.abspath(from_export)} if from_export else {}),
            "imageSize": IMAGE_SIZE, "zDim": Z_DIM, "torch": torch.__version__,
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    _write_json(meta_path, meta)
    return meta


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", help="run folder holding gan.pt and encoder.pt")
    p.add_argument("--from-export", help="export folder to take G, D and E from instead (e.g. model-to-torch.ts's)")
    p.add_argument("--out", required=True, help="export folder (created)")
    p.add_argument("--random", action="store_true", help="random nets instead of a run (tests only)")
    p.add_argument("--width", type=int, default=64, help="network width for --random")
    p.add_argument("--seed", type=int, default=0, help="seed for --random")
    p.add_argument("--classifier", help="age classifier checkpoint (age_classifier.py) to ship beside G, D and E")
    args = p.parse_args(argv)
    torch.set_num_threads(1)  # tiny workload; leave the cores to training
    meta = export(args.out, run=args.run, random=args.random, width=args.width, seed=args.seed,
                  classifier=args.classifier, from_export=args.from_export)
    print(json.dumps(meta))


if __name__ == "__main__":
    main()
