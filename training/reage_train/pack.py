"""Pack UTKFace into one compact uint8 array: python3 -m reage_train.pack --dataset DIR --out FILE"""
import argparse

from .data import pack


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dataset", required=True, help="UTKFace folder (images/ and test.txt)")
    p.add_argument("--out", required=True, help="output .npz (keep it out of the repository)")
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--limit", type=int, default=0, help="only the first N images (smoke tests)")
    args = p.parse_args(argv)
    print(pack(args.dataset, args.out, size=args.size, limit=args.limit or None))


if __name__ == "__main__":
    main()
