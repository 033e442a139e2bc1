#!/usr/bin/env bash
# Installs everything ReAge Studio's headless parts need on a fresh Debian machine:
# the PyTorch trainer's packages, Chromium for the browser tests, Slurm for the farm
# test, and the npm tree.
# Idempotent: what is already installed is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

# slurm-wlm and munge: the one-node cluster the farm test renders on (scripts/slurm/);
# libxml2-utils: xmllint, which validates the OpenCue job spec against cuebot's DTD;
# OpenImageIO (its Python module reads and writes EXR, DPX and float TIFF plates; oiiotool
# checks them in the tests) and OpenColorIO (OCIO-config colour spaces, and the reference
# values the built-in colour spaces are tested against)
APT_PACKAGES=(python3-torch libopenblas0-pthread python3-pytest python3-numpy python3-pil chromium
  slurm-wlm munge libxml2-utils openimageio-tools python3-openimageio opencolorio-tools python3-pyopencolorio)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The headless engine, CLI and tests never start Electron, so its binary is never
# fetched here (it cannot be on offline machines). Electron 45 downloads its binary
# the first time `electron` runs (npm start), not at install; the variable also
# keeps older tooling (electron-builder's install-app-deps) from trying.
# The native tfjs addons are optional dependencies: where their libtensorflow
# download fails, npm drops them and the engine falls back to wasm.
export ELECTRON_SKIP_BINARY_DOWNLOAD="${ELECTRON_SKIP_BINARY_DOWNLOAD:-1}"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
