//===- Device.cpp - device identities for dispatch tables -----------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// A decision is only as good as the machine it was measured on, so dispatch
// tables are keyed by device: the CPU model for CPU sites, the GPU name for
// CUDA sites. MULTIKERNEL_DEVICE_NAME overrides both (tests, and fleets
// whose machines are known to be identical under different names).
//
//===----------------------------------------------------------------------===//

#include "GpuSupport.h"
#include "Runtime.h"

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>

namespace multikernel::runtime {

namespace {
std::string cpuModelName() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.compare(0, 10, "model name") != 0)
      continue;
    size_t colon = line.find(':');
    if (colon == std::string::npos)
      break;
    size_t start = line.find_first_not_of(" \t", colon + 1);
    return start == std::string::npos ? "unknown" : line.substr(start);
  }
  return "unknown";
}
} // namespace

std::string deviceNameFor(int32_t target, int32_t kind) {
  if (const char *forced = environmentValue("MULTIKERNEL_DEVICE_NAME"))
    return forced;
  // Never destroyed: the save of MULTIKERNEL_CACHE_FILE at exit runs after
  // the static objects made since its registration are gone.
  if (target == MKRT_TARGET_CUDA)
    return gpu::deviceKindName(kind);
  static const std::string *cpu = new std::string("cpu:" + cpuModelName());
  return *cpu;
}

} // namespace multikernel::runtime

extern "C" const char *mkrtGetDeviceName(int32_t target) {
  // Stable storage for the C caller; trivially destructible, so a call from a
  // static destructor at exit is safe too.
  static thread_local char name[256];
  std::snprintf(name, sizeof(name), "%s",
                multikernel::runtime::deviceNameFor(
                    target, target == MKRT_TARGET_CUDA
                                ? multikernel::runtime::gpu::currentDeviceKind()
                                : -1)
                    .c_str());
  return name;
}
