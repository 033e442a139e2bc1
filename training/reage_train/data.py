"""UTKFace loading and packing.

The training crop is defined here once: CROP_BOX of the 200x200 UTKFace chip,
resized to 64x64. The runtime aligner does not need to know this box: the
canonical landmark template in the model's manifest is measured on these very
crops (scripts/measure-template), so aligning a plate face onto the template
reproduces the crop the networks were trained on.
"""
from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from PIL import Image

from .nets import age_category

CHIP_SIZE = 200
CROP_BOX = (20, 20, 180, 180)  # left, top, right, bottom in chip pixels


def parse_age(name: str) -> int:
    """Age is the first '_' field of a UTKFace file name (always present)."""
    return int(name.split("_", 1)[0])


def parse_gender(name: str) -> int:
    """Gender is the second '_' field of a UTKFace file name (0 male, 1 female); -1 where
    a file name lacks it (a few do; see the dataset's README)."""
    parts = name.split("_")
    return int(parts[1]) if len(parts) > 3 and parts[1] in ("0", "1") else -1


def gender_balance_weights(cats: np.ndarray, genders: np.ndarray) -> np.ndarray:
    """Per-image weights under which men and women count the same within each age category.

    UTKFace's older categories are mostly men (docs/EVAL.md, History, "Where the 50-59
    mark comes from", gives the shares), so a classifier trained on it plainly learns
    "male" as a cue for those ages, and a G trained against that classifier paints male
    cues onto everyone it ages there. Images of unknown gender keep weight 1, and so
    does a category with one gender only; each category's mean weight stays 1, so the
    categories' shares are unchanged.
    """
    w = np.ones(len(cats), dtype=np.float32)
    for c in np.unique(cats):
        known = (cats == c) & (genders >= 0)
        masks = [known & (genders == g) for g in (0, 1)]
        if not all(m.any() for m in masks):
            continue  # one gender only: nothing to balance against
        for m in masks:
            w[m] = known.sum() / (2.0 * m.sum())
    return w


def load_crop(path: str, size: int = 64) -> np.ndarray:
    with Image.open(path) as im:
        im = im.convert("RGB")
        if im.size != (CHIP_SIZE, CHIP_SIZE):
            im = im.resize((CHIP_SIZE, CHIP_SIZE), Image.BICUBIC)
        im = im.crop(CROP_BOX).resize((size, size), Image.LANCZOS)
        return np.asarray(im, dtype=np.uint8)


def list_images(dataset_dir: str) -> tuple[list[str], set[str]]:
    names = sorted(n for n in os.listdir(os.path.join(dataset_dir, "images")) if n.endswith(".jpg"))
    with open(os.path.join(dataset_dir, "test.txt")) as f:
        test = {line.strip() for line in f if line.strip()}
    return names, test


def _load_one(args):
    path, size = args
    return load_crop(path, size)


def pack(dataset_dir: str, out_path: str, size: int = 64, limit: int | None = None, workers: int = 2) -> str:
    """Pack the dataset into one uint8 array (compact enough to carry to a GPU box)."""
    names, test = list_images(dataset_dir)
    if limit:
        names = names[:limit]
    paths = [(os.path.join(dataset_dir, "images", n), size) for n in names]
    with ProcessPoolExecutor(workers) as ex:
        images = np.stack(list(ex.map(_load_one, paths, chunksize=256)))
    ages = np.array([parse_age(n) for n in names], dtype=np.int16)
    cats = np.array([age_category(a) for a in ages], dtype=np.int8)
    is_test = np.array([n in test for n in names], dtype=bool)
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    tmp = out_path + ".tmp.npz"
    np.savez(tmp, images=images, ages=ages, cats=cats, is_test=is_test, names=np.array(names), names_sha256=digest,
             crop_box=np.array(CROP_BOX), size=size)
    os.replace(tmp, out_path)
    return out_path


def load_packed(path: str, split: str = "train"):
    d = np.load(path)
    sel = ~d["is_test"] if split == "train" else d["is_test"]
    return d["images"][sel], d["cats"][sel], d["names"][sel]
