#!/usr/bin/env bash
# Installs the Debian packages openwdf needs to build, test, lint and benchmark.
# Idempotent: installs only what is missing; needs no network but the Debian archive.
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config python3
  libcmocka-dev liburing-dev
  clang clang-tidy cppcheck clang-format
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
