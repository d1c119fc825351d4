//===- GpuSupport.h - the runtime's internal view of the GPU ----*- C++ -*-===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// What the dispatcher needs from the GPU side (implemented over the CUDA
// driver, loaded at run time): error state of the current thread, timing
// with CUDA events on the current stream, device copies for snapshots.
//
//===----------------------------------------------------------------------===//

#ifndef MULTIKERNEL_LIB_RUNTIME_GPUSUPPORT_H
#define MULTIKERNEL_LIB_RUNTIME_GPUSUPPORT_H

#include <cstddef>
#include <cstdint>
#include <string>

namespace multikernel::runtime::gpu {

/// Number of failed GPU calls made by this thread so far. The dispatcher
/// compares it before and after a variant runs.
uint64_t errorCount();

/// Whether the current stream is being captured into a CUDA graph.
bool currentStreamIsCapturing();

/// Times work submitted to the current stream with CUDA events.
class EventTimer {
public:
  EventTimer();
  ~EventTimer();
  bool valid() const { return startEvent && stopEvent; }
  void start();
  /// Records the stop event, waits for it and returns the elapsed time in
  /// nanoseconds, or a negative value on failure.
  double stop();

private:
  void *startEvent = nullptr;
  void *stopEvent = nullptr;
};

/// Device memory for snapshots. Return nullptr / false on failure.
void *allocate(size_t bytes);
void release(void *pointer);
bool copyOnCurrentStream(void *destination, const void *source, size_t bytes);
bool synchronizeCurrentStream();

/// "cuda:<device name>", or "cuda:unavailable" without a driver.
std::string deviceName();

} // namespace multikernel::runtime::gpu

#endif // MULTIKERNEL_LIB_RUNTIME_GPUSUPPORT_H
