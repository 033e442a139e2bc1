"""Smoke tests for the trainer and the exporter: a few steps of both stages on a
handful of UTKFace crops, resume from the checkpoints, export the result.

Run from training/: /usr/bin/python3 -m pytest -q tests
"""
from __future__ import annotations

import json
import math
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

TRAINING = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TRAINING))  # so `pytest training/tests` works from the repo root too

from reage_train import export as exporter  # noqa: E402
from reage_train import train  # noqa: E402
from reage_train.data import gender_balance_weights, load_packed, pack, parse_gender  # noqa: E402
from reage_train.nets import N_AGES, Z_DIM, Discriminator, Encoder, Generator  # noqa: E402

DATASET = Path(os.environ.get("REAGE_UTKFACE", TRAINING.parents[1] / "shared" / "datasets" / "utkface"))
PACKED = TRAINING.parent / ".cache" / "utkface64.npz"
WIDTH = 8
LIMIT = 48


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> str:
    """A packed file to train on. Packing 64 chips takes well under a second, far less
    than loading the full 300 MB pack, so that is only the fallback."""
    if (DATASET / "images").is_dir():
        out = tmp_path_factory.mktemp("data") / "utk64.npz"
        return pack(str(DATASET), str(out), limit=64, workers=1)
    if PACKED.exists():
        return str(PACKED)
    pytest.skip(f"no UTKFace at {DATASET} and no {PACKED}")


@pytest.fixture(scope="module")
def run(data, tmp_path_factory) -> Path:
    """A run folder after 4 GAN steps + resume to 6, and 10 encoder steps + resume to 16."""
    run = tmp_path_factory.mktemp("run")
    common = ["--data", data, "--run", str(run), "--width", str(WIDTH), "--batch-size", "16", "--limit", str(LIMIT),
              "--threads", "1", "--log-every", "1"]
    train.main(["gan", *common, "--max-steps", "4", "--checkpoint-every", "2"])
    train.main(["gan", *common, "--max-steps", "6", "--checkpoint-every", "2", "--resume"])
    train.main(["encoder", *common, "--encoder-steps", "10", "--checkpoint-every", "5"])
    train.main(["encoder", *common, "--encoder-steps", "16", "--checkpoint-every", "5", "--resume"])
    return run


def read_log(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]


def test_packed_subset_is_usable(data):
    images, cats, names = load_packed(data, "train")
    assert images.dtype == np.uint8 and images.shape[1:] == (64, 64, 3)
    assert len(images) >= 32 and set(np.unique(cats)) <= set(range(N_AGES))


def test_gan_stage_runs_resumes_and_logs_finite_losses(run):
    steps = [r for r in read_log(run) if r.get("stage") == "gan" and "loss_d" in r]
    assert [r["step"] for r in steps] == [1, 2, 3, 4, 5, 6]  # resumed at 5, nothing repeated or skipped
    for r in steps:
        assert math.isfinite(r["loss_d"]) and math.isfinite(r["loss_g"]) and r["loss_d"] > 0 and r["loss_g"] > 0
    ck = torch.load(run / "gan.pt")
    assert ck["state"]["step"] == 6 and ck["width"] == WIDTH
    assert list(run.glob("samples_gan_epoch*.png"))


def test_encoder_stage_runs_resumes_and_learns(run, capsys):
    log = [r for r in read_log(run) if r.get("stage") == "encoder"]
    assert [r["step"] for r in log] == list(range(1, 17))
    losses = [r["loss_z"] for r in log]
    assert all(math.isfinite(v) for v in losses)
    # E regresses z ~ N(0, I) in 100 dims: the loss starts near 100 and should not grow
    assert np.mean(losses[-4:]) <= np.mean(losses[:4]) * 1.05, losses
    ek = torch.load(run / "encoder.pt")
    assert ek["state"]["step"] == 16


def test_resume_continues_from_the_checkpoint(data, tmp_path, capsys):
    common = ["--data", data, "--run", str(tmp_path), "--width", "4", "--batch-size", "16", "--limit", str(LIMIT),
              "--threads", "1", "--log-every", "1"]
    train.main(["gan", *common, "--max-steps", "2", "--checkpoint-every", "1"])
    train.main(["gan", *common, "--max-steps", "3", "--checkpoint-every", "1", "--resume"])
    assert re.search(r"resumed at epoch \d+ step 2", capsys.readouterr().out)
    train.main(["encoder", *common, "--encoder-steps", "2", "--checkpoint-every", "1"])
    train.main(["encoder", *common, "--encoder-steps", "3", "--checkpoint-every", "1", "--resume"])
    assert "resumed encoder at step 2" in capsys.readouterr().out


def test_hybrid_recipe_learns_to_reconstruct_and_seeds_the_encoder(data, tmp_path, capsys):
    common = ["--data", data, "--run", str(tmp_path), "--width", str(WIDTH), "--batch-size", "16", "--limit", "16",
              "--threads", "1", "--log-every", "1", "--recipe", "hybrid", "--lr", "1e-3"]
    train.main(["gan", *common, "--max-steps", "30", "--checkpoint-every", "10"])
    rec = [r["loss_rec"] for r in read_log(tmp_path) if "loss_rec" in r]
    assert len(rec) == 30 and all(math.isfinite(v) for v in rec)
    # G(E(x), y) ~ x on the same 16 faces: the L1 must fall clearly within 30 steps
    assert np.mean(rec[-5:]) < 0.92 * np.mean(rec[:5]), rec
    ck = torch.load(tmp_path / "gan.pt")
    assert ck["recipe"] == "hybrid" and "E" in ck
    # resuming under the other recipe would silently change the objective: refused
    with pytest.raises(SystemExit, match="recipe"):
        train.main(["gan", *common[:-4], "--lr", "1e-3", "--max-steps", "31", "--resume"])
    # stage 2 starts from the jointly trained E rather than from scratch
    train.main(["encoder", *common, "--encoder-steps", "1"])
    ek = torch.load(tmp_path / "encoder.pt")
    convs = [k for k, v in ck["E"].items() if k.endswith("weight") and v.dim() == 4]
    diff = max((ek["E"][k] - ck["E"][k]).abs().max().item() for k in convs)
    # one Adam step moves a weight by about lr (2e-4); a fresh N(0, 0.02) init would be ~0.1 away
    assert diff < 0.01, diff


def test_encoder_refined_on_real_faces_reconstructs_them_better(data, tmp_path):
    """--real-weight adds L1(G(E(x), y), x) on real faces to stage 2, G frozen: from the
    same start, E then reconstructs real faces better than after pairs-only steps."""
    common = ["--data", data, "--width", str(WIDTH), "--batch-size", "16", "--limit", "16",
              "--threads", "1", "--log-every", "1", "--lr", "1e-3"]
    gan_run = tmp_path / "gan"
    # a G that uses z (the hybrid recipe learns to reconstruct these 16 faces in 30 steps)
    train.main(["gan", *common, "--run", str(gan_run), "--recipe", "hybrid", "--max-steps", "30",
                "--checkpoint-every", "10"])
    images, cats, _ = load_packed(data, "train")
    x = train.to_tensor(images[:16])
    y = train.one_hot(torch.from_numpy(cats[:16]))
    G = Generator(WIDTH)
    G.load_state_dict(torch.load(gan_run / "gan.pt")["G"])
    G.eval()

    def real_l1(run: Path) -> float:
        E = Encoder(WIDTH)
        E.load_state_dict(torch.load(run / "encoder.pt")["E"])
        E.eval()
        with torch.no_grad():
            return (G(E(x), y) - x).abs().mean().item()

    runs = {}
    for name, extra in (("pairs", []), ("real", ["--real-weight", "10"])):
        run = tmp_path / name
        run.mkdir()
        (run / "gan.pt").write_bytes((gan_run / "gan.pt").read_bytes())
        train.main(["encoder", *common, "--run", str(run), "--encoder-steps", "1"])
        runs[name] = run
        if name == "real":
            start = real_l1(run)
        train.main(["encoder", *common, "--run", str(run), "--encoder-steps", "60", "--resume", *extra])
    log = [r for r in read_log(runs["real"]) if r.get("stage") == "encoder" and r["step"] > 1]
    assert len(log) == 59 and all(math.isfinite(r["loss_rec"]) for r in log)
    pairs, real = real_l1(runs["pairs"]), real_l1(runs["real"])
    print(f"real-face L1: start {start:.4f}, pairs only {pairs:.4f}, with --real-weight {real:.4f}")
    # pairs alone move E away from real faces; the real-face term moves it towards them
    assert real < start and real < 0.95 * pairs, (start, pairs, real)


def test_age_classifier_trains_and_drives_the_hybrid_age_term(data, tmp_path, capsys):
    from reage_train import age_classifier

    out = tmp_path / "age.pt"
    age_classifier.main(["--data", data, "--out", str(out), "--width", "4", "--epochs", "2", "--threads", "1",
                         "--batch-size", "16", "--augment"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [r["epoch"] for r in lines] == [1, 2] and all(math.isfinite(r["loss"]) for r in lines)
    c = age_classifier.load_classifier(str(out))
    assert not any(p.requires_grad for p in c.parameters()) and not c.training
    run = tmp_path / "run"
    common = ["--data", data, "--run", str(run), "--width", "4", "--batch-size", "16", "--limit", "16",
              "--threads", "1", "--log-every", "1", "--max-steps", "2"]
    train.main(["gan", *common, "--recipe", "hybrid", "--age-classifier", str(out)])
    train.main(["gan", *common, "--run", str(tmp_path / "jitter"), "--recipe", "hybrid", "--age-classifier", str(out),
                "--age-jitter", "--age-chroma-weight", "10"])
    for r in (run, tmp_path / "jitter"):
        losses = [x["loss_g"] for x in read_log(r) if "loss_g" in x]
        assert len(losses) == 2 and all(math.isfinite(v) for v in losses)
    with pytest.raises(SystemExit, match="hybrid"):
        train.main(["gan", *common, "--run", str(tmp_path / "paper"), "--age-classifier", str(out)])


def test_gender_parsed_from_utkface_names_and_balanced_within_each_age():
    names = ["52_0_0_2017.jpg", "55_0_3_2017.jpg", "51_0_1_2017.jpg", "58_1_0_2017.jpg", "24_1_2_2017.jpg",
             "39_1_20170109150557335.jpg"]  # the last lacks its race field: gender unknown
    genders = np.array([parse_gender(n) for n in names])
    assert genders.tolist() == [0, 0, 0, 1, 1, -1]
    cats = np.array([4, 4, 4, 4, 1, 2])
    w = gender_balance_weights(cats, genders)
    # 50-59: three men and one woman weigh the same in all; the mean weight stays 1
    assert w[:3].sum() == pytest.approx(w[3]) and w[:4].mean() == pytest.approx(1.0)
    assert w[4] == pytest.approx(1.0) and w[5] == 1.0  # alone in its category; unknown gender


def test_age_classifier_trains_gender_balanced(data, tmp_path, capsys):
    from reage_train import age_classifier

    out = tmp_path / "balanced.pt"
    age_classifier.main(["--data", data, "--out", str(out), "--width", "4", "--epochs", "1", "--threads", "1",
                         "--batch-size", "16", "--balance-gender"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert len(lines) == 1 and math.isfinite(lines[0]["loss"])
    assert torch.load(str(out))["balance_gender"] is True


def load_exported(out: Path, name: str, net: torch.nn.Module) -> torch.nn.Module:
    """Rebuild a network from NAME.json + NAME.bin, as the importer reads them."""
    entries = json.loads((out / f"{name}.json").read_text())
    raw = (out / f"{name}.bin").read_bytes()
    state = {}
    for e in entries:
        n = int(np.prod(e["shape"]))
        state[e["name"]] = torch.from_numpy(np.frombuffer(raw, "<f4", n, e["offset"]).reshape(e["shape"]).copy())
    assert entries[-1]["offset"] + 4 * int(np.prod(entries[-1]["shape"])) == len(raw)
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing)
    return net.eval()


def tensor(t: dict) -> torch.Tensor:
    return torch.tensor(t["data"], dtype=torch.float32).reshape(t["shape"])


def nchw(t: dict) -> torch.Tensor:
    return tensor(t).permute(0, 3, 1, 2)


def check_export(out: Path, width: int) -> dict:
    """Weights round-trip, and the fixtures are what the exported weights compute."""
    G = load_exported(out, "generator", Generator(width))
    D = load_exported(out, "discriminator", Discriminator(width))
    E = load_exported(out, "encoder", Encoder(width))
    fx = json.loads((out / "fixtures.json").read_text())
    assert fx["layout"] == "NHWC"
    g, e, d = fx["generator"], fx["encoder"], fx["discriminator"]
    assert g["z"]["shape"][1] == Z_DIM and g["y"]["shape"][1] == N_AGES and g["out"]["shape"][1:] == [64, 64, 3]
    with torch.no_grad():
        torch.testing.assert_close(G(tensor(g["z"]), tensor(g["y"])), nchw(g["out"]))
        torch.testing.assert_close(E(nchw(e["x"])), tensor(e["out"]))
        torch.testing.assert_close(D(nchw(d["x"]), tensor(d["y"]))[:, None], tensor(d["out"]))
    meta = json.loads((out / "export.json").read_text())
    # the age classifier is optional; when exported, its fixture is what its weights compute
    assert ("ageClassifier" in fx) == (out / "age-classifier.bin").exists() == ("ageClassifier" in meta)
    if "ageClassifier" in fx:
        from reage_train.age_classifier import AgeClassifier

        C = load_exported(out, "age-classifier", AgeClassifier(meta["ageClassifier"]["width"]))
        c = fx["ageClassifier"]
        assert c["out"]["shape"] == [c["x"]["shape"][0], N_AGES]
        with torch.no_grad():
            torch.testing.assert_close(C(nchw(c["x"])), tensor(c["out"]))
    return meta


def test_export_of_a_run(run, tmp_path):
    out = tmp_path / "export"
    exporter.main(["--run", str(run), "--out", str(out)])
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{n}.{ext}" for n in ("generator", "discriminator", "encoder") for ext in ("json", "bin")]
        + ["fixtures.json", "export.json"])
    meta = check_export(out, WIDTH)
    assert meta["width"] == WIDTH and meta["encoderWidth"] == WIDTH and meta["random"] is False
    assert meta["gan"]["steps"] == 6 and meta["encoder"]["steps"] == 16 and meta["gan"]["epochs"] >= 1
    # the exported G is the checkpoint's G, BatchNorm statistics included
    ck = torch.load(run / "gan.pt")
    G = load_exported(out, "generator", Generator(WIDTH))
    for k, v in G.state_dict().items():
        if not k.endswith("num_batches_tracked"):
            assert torch.equal(v, ck["G"][k]), k


def test_export_ships_the_age_classifier_when_given_and_drops_a_stale_one(run, data, tmp_path):
    from reage_train import age_classifier

    ck = tmp_path / "age.pt"
    age_classifier.main(["--data", data, "--out", str(ck), "--width", "4", "--epochs", "1", "--threads", "1",
                         "--batch-size", "16", "--augment"])
    out = tmp_path / "export"
    exporter.main(["--run", str(run), "--out", str(out), "--classifier", str(ck)])
    meta = check_export(out, WIDTH)
    assert meta["ageClassifier"]["width"] == 4 and meta["ageClassifier"]["jittered"] is True
    assert 0 <= meta["ageClassifier"]["testAccuracy"] <= 1
    # re-exported without one, the folder must not keep the old classifier beside new G, D, E
    exporter.main(["--run", str(run), "--out", str(out)])
    assert not (out / "age-classifier.bin").exists() and "ageClassifier" not in check_export(out, WIDTH)
    with pytest.raises(SystemExit, match=r"nope\.pt not found"):
        exporter.main(["--run", str(run), "--out", str(out), "--classifier", str(tmp_path / "nope.pt")])
    # an export (a shipped model converted back) re-exported with C: same G, D, E, what was trained kept
    again = tmp_path / "again"
    exporter.main(["--from-export", str(out), "--out", str(again), "--classifier", str(ck)])
    meta2 = check_export(again, WIDTH)
    assert meta2["gan"] == meta["gan"] and meta2["ageClassifier"]["width"] == 4
    for name in ("generator", "discriminator", "encoder"):
        assert (again / f"{name}.bin").read_bytes() == (out / f"{name}.bin").read_bytes()
    with pytest.raises(SystemExit, match=r"one of --run or --from-export"):
        exporter.main(["--run", str(run), "--from-export", str(out), "--out", str(again)])


def test_export_random_is_deterministic_and_not_degenerate(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    exporter.main(["--random", "--width", "4", "--out", str(a)])
    exporter.main(["--random", "--width", "4", "--out", str(b)])
    assert check_export(a, 4)["random"] is True
    assert (a / "generator.bin").read_bytes() == (b / "generator.bin").read_bytes()
    # every BN layer has real statistics, so the importer's mapping of them is tested
    G = load_exported(a, "generator", Generator(4))
    for m in G.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            assert m.running_mean.abs().max() > 1e-3 and (m.running_var - 1).abs().max() > 1e-3


def test_export_without_encoder_says_what_to_do(run, tmp_path):
    partial = tmp_path / "run"
    partial.mkdir()
    (partial / "gan.pt").write_bytes((run / "gan.pt").read_bytes())
    with pytest.raises(SystemExit, match=r"encoder\.pt not found: train stage 'encoder' first"):
        exporter.main(["--run", str(partial), "--out", str(tmp_path / "out")])


def test_jitter_keeps_shape_and_range_varies_per_image_and_passes_gradients():
    from reage_train.augment import jitter

    torch.manual_seed(0)
    # smooth pictures, as faces are at this scale (pure noise would change entirely under a shift)
    x = torch.nn.functional.interpolate(torch.rand(6, 3, 8, 8) * 2 - 1, size=(64, 64), mode="bilinear")
    x.requires_grad_(True)
    y = jitter(x)
    assert y.shape == x.shape and y.min() >= -1 and y.max() <= 1
    same = jitter(x[:1].detach().expand(6, -1, -1, -1).contiguous())
    # a different transformation for each image of the batch
    assert all((same[i] - same[0]).abs().mean() > 0.01 for i in range(1, 6))
    # close to the input, not a different picture: a face must stay a face
    assert (y - x).abs().mean() < 0.35
    y.pow(2).sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0


def test_chroma_shift_penalises_colour_not_brightness():
    torch.manual_seed(0)
    face = torch.nn.functional.interpolate(torch.rand(4, 3, 8, 8) * 1.6 - 0.8, size=(64, 64), mode="bilinear")
    assert train.chroma_shift(face, face) == 0
    # wrinkles and shading: the same change on every channel leaves chroma alone
    darker = face - 0.2 * torch.rand(4, 1, 64, 64)
    assert train.chroma_shift(darker, face) < 1e-6
    # a green blotch is what the term is for
    blotch = face.clone()
    blotch[:, 1, 20:36, 20:36] += 0.4
    assert train.chroma_shift(blotch, face) > 0.01


def test_read_export_restores_the_exported_networks_exactly(tmp_path):
    out = tmp_path / "export"
    exporter.main(["--random", "--width", "4", "--seed", "3", "--out", str(out)])
    G, D, E, meta = exporter.read_export(str(out))
    G0, D0, E0, _ = exporter.random_nets(4, seed=3)
    for a, b in ((G, G0), (D, D0), (E, E0)):
        for k, v in b.state_dict().items():
            if v.is_floating_point():
                assert torch.equal(a.state_dict()[k], v), k
    assert meta["width"] == 4
    # a network of another width is refused with the tensor named
    (out / "export.json").write_text(json.dumps({**meta, "width": 8}))
    with pytest.raises(SystemExit, match=r"generator: '.+' is \[.+\], nets.py expects .+another width"):
        exporter.read_export(str(out))


def test_gan_stage_fine_tunes_from_an_export(data, tmp_path, capsys):
    """--init-from starts from an export's G, D and E and its step count, and trains on."""
    src = tmp_path / "export"
    exporter.main(["--random", "--width", "4", "--out", str(src)])
    meta = json.loads((src / "export.json").read_text())
    (src / "export.json").write_text(json.dumps({**meta, "gan": {"epochs": 3, "steps": 9}}))
    run = tmp_path / "run"
    common = ["--data", data, "--run", str(run), "--width", "4", "--batch-size", "16", "--limit", "32",
              "--threads", "1", "--log-every", "1", "--recipe", "hybrid", "--init-from", str(src), "--epochs", "9"]
    train.main(["gan", *common, "--max-steps", "10", "--checkpoint-every", "1"])
    assert "initialised from" in capsys.readouterr().out
    ck = torch.load(run / "gan.pt")
    assert ck["state"]["step"] == 10  # 9 from the export + 1
    G0 = load_exported(src, "generator", Generator(4))
    moved = [k for k, v in G0.state_dict().items() if v.is_floating_point() and not torch.equal(v, ck["G"][k])]
    close = all(torch.allclose(v, ck["G"][k], atol=0.05) for k, v in G0.state_dict().items() if v.is_floating_point())
    assert moved and close  # one small Adam step away from the export's weights, not a fresh init
    # resuming that run uses its checkpoint, not the export again
    train.main(["gan", *common, "--max-steps", "11", "--resume"])
    out = capsys.readouterr().out
    assert "resumed at epoch" in out and "initialised from" not in out
    with pytest.raises(SystemExit, match="width 4/4, but --width 8"):
        train.main(["gan", *common[:5], "8", *common[6:], "--run", str(tmp_path / "other"), "--max-steps", "1"])


def test_probe_mark_finds_and_measures_a_mark_painted_at_one_age(tmp_path, capsys):
    from reage_train import probe_mark

    rows, cols = torch.meshgrid(torch.arange(64.0), torch.arange(64.0), indexing="ij")
    bump = torch.exp(-((rows - 40) ** 2 + (cols - 32) ** 2) / 8)  # peaks at (40, 32)

    def painter(z, y):
        """Grey faces; at category 4 a dark, green-tinted blob under (40, 32)."""
        out = torch.zeros(len(z), 3, 64, 64)
        marked = y[:, 4] == 1
        out[marked, 0] = out[marked, 2] = -0.5 * bump
        out[marked, 1] = -0.2 * bump  # less dark in green: a green tint
        return out

    z = torch.randn(16, Z_DIM)
    r = probe_mark.measure(painter, z, 4, None)
    box = bump[37:44, 29:36].mean().item()
    assert r["at"] == [40, 32] and r["share_darker_0.1"] == 1.0 and r["share_greener_0.05"] == 1.0
    assert r["darker"] == pytest.approx((0.5 * 0.299 + 0.2 * 0.587 + 0.5 * 0.114) * box, abs=1e-3)
    assert r["greener"] == pytest.approx(0.3 * box, abs=1e-3)
    assert probe_mark.measure(painter, z, 3, (40, 32))["darker"] < 0  # beside the marked age: lighter than it
    assert probe_mark.measure(painter, z, 1, (40, 32))["darker"] == 0.0  # far from it: no difference

    out = tmp_path / "random"
    exporter.main(["--random", "--width", "8", "--out", str(out)])
    capsys.readouterr()
    probe_mark.main([str(out), "--faces", "8", "--at", "40", "32"])
    rec = json.loads(capsys.readouterr().out.strip())
    assert rec["at"] == [40, 32] and math.isfinite(rec["darker"]) and math.isfinite(rec["greener"])


def test_probe_classifier_reads_c_on_g_and_loads_the_export_s_own_c(tmp_path, capsys):
    from reage_train import probe_classifier

    class Echo(torch.nn.Module):
        """A 'C' that reads the category G painted into the red channel's mean."""

        def forward(self, x):
            level = x[:, 0].mean(dim=(1, 2))
            return -((torch.arange(N_AGES).float()[None] / 10 - level[:, None]) ** 2) * 1e4

    def painter(z, y):
        """Faces whose red level is category/10, except that category 2 is drawn as 3."""
        cat = y.argmax(1).float()
        cat[cat == 2] = 3
        out = torch.zeros(len(z), 3, 64, 64)
        out[:, 0] = (cat / 10)[:, None, None]
        return out

    r = probe_classifier.measure(painter, Echo(), torch.randn(8, Z_DIM))
    assert r["accuracy"] == [1.0, 1.0, 0.0, 1.0, 1.0, 1.0]
    assert r["probability"][2] == pytest.approx(0.0, abs=1e-4) and r["probability"][4] == pytest.approx(1.0)
    assert all(0.0 <= v <= 1.0 for v in r["jitteredAccuracy"] + r["jitteredProbability"])

    out = tmp_path / "random"
    exporter.main(["--random", "--width", "8", "--out", str(out)])
    capsys.readouterr()
    probe_classifier.main([str(out), "--faces", "4"])
    rec = json.loads(capsys.readouterr().out.strip())
    assert rec["faces"] == 4 and len(rec["accuracy"]) == N_AGES
    # the classifier read back is the exported one: it gives the exporter's fixture output
    fixture = json.loads((out / "fixtures.json").read_text())["ageClassifier"]
    c = exporter.read_export_classifier(str(out))
    x = torch.tensor(fixture["x"]["data"]).reshape(fixture["x"]["shape"]).permute(0, 3, 1, 2)
    want = torch.tensor(fixture["out"]["data"]).reshape(fixture["out"]["shape"])
    assert torch.allclose(c(x), want, atol=1e-5)
    with pytest.raises(SystemExit, match="no classifier"):
        probe_classifier.main([str(tmp_path / "gan.pt")])
