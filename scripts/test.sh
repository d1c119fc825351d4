#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite. This is
# what CI runs (.ci/run); the output ends with lit's summary.
#
# 1. The runtime alone (cmake -S lib/Runtime: no MLIR), twice, with
#    AddressSanitizer+UndefinedBehaviorSanitizer and with ThreadSanitizer,
#    running its unit tests. This also proves it builds with only a compiler.
# 2. The whole project, and check-multikernel (lit, which also runs the
#    runtime unit tests of the normal build).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

JOBS=${JOBS:-2}
for sanitizer in "address,undefined" "thread"; do
  dir="build-runtime-${sanitizer//,/-}"
  echo "== runtime unit tests under -fsanitize=$sanitizer ($dir)"
  if [ ! -f "$dir/build.ninja" ]; then
    cmake -G Ninja -S lib/Runtime -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DMULTIKERNEL_RUNTIME_SANITIZER="$sanitizer" >/dev/null
  fi
  ninja -C "$dir" -j "$JOBS" RuntimeTests RuntimeGpuFakeDriverTests RuntimeGpuCublasLtTests \
    RuntimeGpuNoDriverTests >/dev/null
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
  export TSAN_OPTIONS=halt_on_error=1
  for t in RuntimeTests RuntimeGpuFakeDriverTests RuntimeGpuCublasLtTests RuntimeGpuNoDriverTests; do
    if ! "$dir/bin/$t" --gtest_brief=1 >"$dir/$t.log" 2>&1; then
      cat "$dir/$t.log"
      echo "FAILED: $t under -fsanitize=$sanitizer"
      exit 1
    fi
    echo "   $t: $(grep -E '^\[  PASSED  \]' "$dir/$t.log")"
  done
done

echo "== build"
bash scripts/build.sh
echo "== check-multikernel"
ninja -C "${BUILD_DIR:-build}" -j "$JOBS" check-multikernel
