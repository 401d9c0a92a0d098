#!/usr/bin/env bash
# Install Debian packages the project needs: `node` (npm for front-end assets) or `browser`
# (chromium + CJK fonts for the browser tests). Skips what is already there.
set -euo pipefail
what="${1:-browser}"
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else echo "need root or sudo to apt-get install" >&2; fi
fi
pkgs=()
case "$what" in
  node) command -v npm >/dev/null || pkgs+=(nodejs npm) ;;
  browser)
    command -v chromium >/dev/null || pkgs+=(chromium)
    fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || pkgs+=(fonts-noto-cjk)
    ;;
esac
if [ "${#pkgs[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${pkgs[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi
