#!/usr/bin/env bash
# Installs what building and testing multikernel needs on Debian 12, and
# nothing when it is all there already (so it is safe to run every time).
set -euo pipefail

packages=(
  cmake ninja-build
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22
  libomp-22-dev
  libgtest-dev libbenchmark-dev
  python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done

python_missing=()
for module in pytest numpy wheel setuptools ml_dtypes; do
  python3 -c "import $module" 2>/dev/null || python_missing+=("$module")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ ${#python_missing[@]} -gt 0 ]; then
  echo "== installing from PyPI: ${python_missing[*]}"
  python3 -m pip install -q "${python_missing[@]}"
fi
