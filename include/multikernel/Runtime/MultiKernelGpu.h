/*===- MultiKernelGpu.h - multikernel runtime, GPU side ---------*- C -*-===*\
|*                                                                            *|
|* Part of the multikernel project.                                           *|
|*                                                                            *|
|* The GPU half of libmultikernel_runtime. The CUDA driver is loaded with     *|
|* dlopen("libcuda.so.1") on first use (MULTIKERNEL_CUDA_LIBRARY overrides    *|
|* the name: trusted code, run as the driver), so the library links and       *|
|* loads on machines without a GPU; the functions below then fail with a      *|
|* clear message instead.                                                     *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef MULTIKERNEL_RUNTIME_MULTIKERNELGPU_H
#define MULTIKERNEL_RUNTIME_MULTIKERNELGPU_H

#include "multikernel/Runtime/MultiKernelRuntime.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*===----------------------------------------------------------------------===*
 * Control
 *===----------------------------------------------------------------------===*/

/** 1 if the CUDA driver loads and initializes; otherwise 0, and
 *  mkrtGpuGetLastError() says why. */
MKRT_EXPORT int32_t mkrtGpuIsAvailable(void);

/** The message of the last failed GPU call made by this thread, naming the
 *  call and the CUDA error; "" if none failed. */
MKRT_EXPORT const char *mkrtGpuGetLastError(void);

/** Makes `stream` (a CUstream; NULL is the legacy default stream) the stream
 *  this thread's kernels are launched and timed on, e.g. PyTorch's
 *  torch.cuda.current_stream().cuda_stream. Launches on a caller's stream
 *  are asynchronous (mgpuStreamSynchronize of that stream returns at once):
 *  the caller synchronizes as it does for its own kernels. On the runtime's
 *  own stream, calls block until their kernels are done. */
MKRT_EXPORT void mkrtGpuSetStream(void *stream);

/** Returns this thread to the runtime's own stream (one per thread, created
 *  once and reused). */
MKRT_EXPORT void mkrtGpuUseOwnStream(void);

/** The stream this thread's kernels run on now. */
MKRT_EXPORT void *mkrtGpuGetStream(void);

/** What the pool of device buffers (mgpuMemAlloc, below) has done since the
 *  process started: a warm call of a compiled function allocates nothing
 *  from the driver. */
typedef struct MkrtGpuMemoryStats {
  /** Buffers taken from the driver (cuMemAlloc; cuMemAllocManaged for
   *  host-shared ones; cuMemAllocAsync while a stream is captured). */
  int64_t driverAllocations;
  /** Bytes of those. */
  int64_t driverAllocatedBytes;
  /** Buffers given back to the driver. */
  int64_t driverFrees;
  /** Allocations served from the pool, with no driver call. */
  int64_t poolHits;
  /** Buffers the pool holds now for reuse (all streams), and their bytes. */
  int64_t cachedBuffers;
  int64_t cachedBytes;
} MkrtGpuMemoryStats;

/** Fills `stats` (thread-safe). */
MKRT_EXPORT void mkrtGpuGetMemoryStats(MkrtGpuMemoryStats *stats);

/*===----------------------------------------------------------------------===*
 * cuBLASLt: the library candidates of GPU matmul sites
 *===----------------------------------------------------------------------===*/

/** Element types of mkrtGpuCublasLtMatmul (the values of CUDA's
 *  cudaDataType_t). */
enum MkrtGpuElementType {
  MKRT_GPU_F32 = 0,
  MKRT_GPU_F64 = 1,
  MKRT_GPU_F16 = 2,
  MKRT_GPU_BF16 = 14,
};

/** 1 if cuBLASLt loads; otherwise 0, and mkrtGpuGetLastError() says why.
 *  It is opened with dlopen on first use: MULTIKERNEL_CUBLASLT_LIBRARY
 *  names it (trusted code, run as the library), else libcublasLt.so.13,
 *  .so.12, .so and /usr/local/cuda/lib64's are tried (a process that has
 *  loaded PyTorch's finds that one). */
MKRT_EXPORT int32_t mkrtGpuCublasLtIsAvailable(void);

/** C += A * B (C = A * B where `accumulate` is 0: C is not read) for each
 *  of `batch` matrices, on this thread's current stream, by cuBLASLt: what
 *  a GPU matmul variant with `library = cublaslt` calls. A is m x k, B
 *  k x n, C m x n, each given by the device address of its first element
 *  and its strides in elements (between matrices, rows and columns); A and
 *  B need one contiguous dimension, C contiguous rows. Types: A and B alike
 *  (f32, f16 or bf16) with C of their type or f32, or all f64; accumulation
 *  in f32 (f64), never TF32. `algorithm` picks the algorithm-th best of
 *  those cuBLASLt's heuristic proposes for the problem (the last one where
 *  it proposes fewer); the descriptors and the heuristic's answer are
 *  computed once per problem and cached. Failures (no cuBLASLt, an
 *  unsupported problem, a failing launch) are recorded as those of the
 *  mgpu* calls below are, so the dispatcher excludes the variant. */
MKRT_EXPORT void
mkrtGpuCublasLtMatmul(int32_t algorithm, int32_t accumulate, int32_t aType,
                      int32_t bType, int32_t cType, int64_t batch, int64_t m,
                      int64_t n, int64_t k, uintptr_t a, int64_t aBatchStride,
                      int64_t aRowStride, int64_t aColumnStride, uintptr_t b,
                      int64_t bBatchStride, int64_t bRowStride,
                      int64_t bColumnStride, uintptr_t c, int64_t cBatchStride,
                      int64_t cRowStride, int64_t cColumnStride);

/*===----------------------------------------------------------------------===*
 * The entry points MLIR 22's gpu-to-llvm lowering emits (same signatures as
 * MLIR's CudaRuntimeWrappers), implemented so that a dispatch costs no
 * stream creation or module lookup:
 * - modules are loaded once per image and reference counted;
 * - function handles are cached (per thread, without a lock);
 * - mgpuStreamCreate hands out this thread's current stream (see above) and
 *   mgpuStreamDestroy leaves it alive;
 * - launches with an empty grid or block are skipped;
 * - mgpuMemFree keeps the buffer for the next mgpuMemAlloc on the same
 *   stream (generated code's per-call scratch buffers: no driver call, no
 *   synchronization once warm; the null stream counts as a stream): the 16
 *   freed last on each stream, served to requests of at least half their
 *   size; while
 *   the stream is captured into a CUDA graph, allocation is stream-ordered;
 * - every driver error is reported on stderr with the call that failed and
 *   recorded, so the dispatcher can exclude a failing variant.
 *===----------------------------------------------------------------------===*/

MKRT_EXPORT void *mgpuModuleLoad(void *data, size_t gpuBlobSize);
MKRT_EXPORT void *mgpuModuleLoadJIT(void *data, int optLevel);
MKRT_EXPORT void mgpuModuleUnload(void *module);
MKRT_EXPORT void *mgpuModuleGetFunction(void *module, const char *name);
MKRT_EXPORT void mgpuLaunchKernel(void *function, intptr_t gridX,
                                  intptr_t gridY, intptr_t gridZ,
                                  intptr_t blockX, intptr_t blockY,
                                  intptr_t blockZ, int32_t smem, void *stream,
                                  void **params, void **extra,
                                  size_t paramsCount);
MKRT_EXPORT void *mgpuStreamCreate(void);
MKRT_EXPORT void mgpuStreamDestroy(void *stream);
MKRT_EXPORT void mgpuStreamSynchronize(void *stream);
MKRT_EXPORT void mgpuStreamWaitEvent(void *stream, void *event);
MKRT_EXPORT void *mgpuEventCreate(void);
MKRT_EXPORT void mgpuEventDestroy(void *event);
MKRT_EXPORT void mgpuEventSynchronize(void *event);
MKRT_EXPORT void mgpuEventRecord(void *event, void *stream);
MKRT_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, void *stream,
                               bool isHostShared);
MKRT_EXPORT void mgpuMemFree(void *pointer, void *stream);
MKRT_EXPORT void mgpuMemcpy(void *destination, void *source, size_t sizeBytes,
                            void *stream);
MKRT_EXPORT void mgpuMemset32(void *destination, unsigned int value,
                              size_t count, void *stream);
MKRT_EXPORT void mgpuMemset16(void *destination, unsigned short value,
                              size_t count, void *stream);
MKRT_EXPORT void mgpuSetDefaultDevice(int32_t device);

#ifdef __cplusplus
}
#endif

#endif /* MULTIKERNEL_RUNTIME_MULTIKERNELGPU_H */
