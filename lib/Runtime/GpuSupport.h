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
#include <optional>
#include <string>

namespace multikernel::runtime::gpu {

/// Number of failed GPU calls made by this thread so far. The dispatcher
/// compares it before and after a variant runs.
uint64_t errorCount();

/// Records a failed GPU call of this thread: counted by errorCount(), kept
/// as mkrtGpuGetLastError() and, with `print`, printed on stderr.
void recordError(const std::string &message, bool print = true);

/// For a library that launches work (cuBLASLt): makes a context current and
/// sets `stream` to this thread's current stream (a CUstream; null is the
/// legacy default stream) and `context` to the current CUcontext; false
/// after recording why not, naming `call`.
bool currentStreamFor(const char *call, void **stream, void **context);

/// Whether the current stream is being captured into a CUDA graph.
bool currentStreamIsCapturing();

/// Times work submitted to the current stream with CUDA events.
///
/// A GPU that is idle when the start event is recorded fires it at once and
/// then waits for the host to launch the timed work, so the events would
/// measure the host's launch latency (several microseconds) as much as the
/// kernels: on short kernels that hides which variant is faster. With
/// `leadInBytes` > 0, start() first enqueues a memset of that many bytes,
/// long enough that the launches are queued before the start event fires;
/// the events then time the GPU's work alone, as a model that launches
/// asynchronously sees it. (The memset also evicts part of the L2, as
/// triton's do_bench does on purpose.) Without the buffer (0 bytes, or the
/// allocation failed) timing falls back to plain events.
class EventTimer {
public:
  explicit EventTimer(size_t leadInBytes = 0);
  ~EventTimer();
  bool valid() const { return startEvent && stopEvent; }
  void start();
  /// Records the stop event, waits for it and returns the elapsed time in
  /// nanoseconds, or a negative value on failure.
  double stop();
  /// Records the stop event without waiting for it (see poll).
  void recordStop();
  /// After recordStop: the elapsed nanoseconds once the stop event has
  /// completed, std::nullopt while it has not, negative on failure.
  std::optional<double> poll();

private:
  /// The time between the recorded events (negative on failure).
  double elapsedNanos() const;

  void *startEvent = nullptr;
  void *stopEvent = nullptr;
  void *leadIn = nullptr;
  size_t leadInBytes = 0;
};

/// Device memory for snapshots. Return nullptr / false on failure.
void *allocate(size_t bytes);
void release(void *pointer);
bool copyOnCurrentStream(void *destination, const void *source, size_t bytes);
bool synchronizeCurrentStream();

/// The kind of the device whose context is current on this thread (made
/// current as the mgpu* calls do), as an index among the kinds this process
/// has seen: GPUs of one name, compute capability and multiprocessor count
/// are one kind and share decisions. -1 without a driver or a device.
int32_t currentDeviceKind();

/// The name of kind `kind`, "cuda:<device name> (sm_<cc>, <n> SMs)" (what
/// dispatch tables record), or "cuda:unavailable" for -1.
std::string deviceKindName(int32_t kind);

/// At most this many kinds per process.
constexpr int32_t kMaxDeviceKinds = 8;

} // namespace multikernel::runtime::gpu

#endif // MULTIKERNEL_LIB_RUNTIME_GPUSUPPORT_H
