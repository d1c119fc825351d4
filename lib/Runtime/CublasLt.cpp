//===- CublasLt.cpp - cuBLASLt as a matmul variant, loaded at run time ----===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// A GPU matmul site's library candidates (`library = cublaslt` variants)
// call mkrtGpuCublasLtMatmul. cuBLASLt is opened with dlopen on the first
// call, as the driver is, so that libraries link and load without it; where
// it is missing the call fails like a failing kernel launch (the dispatcher
// excludes the variant and the generated ones serve every shape), and one
// line says so.
//
// cuBLASLt is column-major and our matrices are row-major views of any
// strides: C (M x N) is computed as C^T = B^T A^T, where a row-major matrix
// is its column-major transpose, and an operand whose other dimension is
// the contiguous one is passed transposed (CUBLAS_OP_T). The descriptors
// and the heuristic's algorithms of each problem (types, sizes, strides,
// pointer alignment) are made once and cached; a call then costs one
// lookup and the library's launch.
//
// The types are declared here from cuBLASLt's public header (their values
// are its ABI, unchanged since CUDA 11), so that the runtime builds without
// the CUDA toolkit.
//
//===----------------------------------------------------------------------===//

#include "Config.h"
#include "GpuSupport.h"

#include "multikernel/Runtime/MultiKernelGpu.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

using namespace multikernel::runtime;

namespace {

//===----------------------------------------------------------------------===//
// The library's API (cublasLt.h)
//===----------------------------------------------------------------------===//

using Status = int;
constexpr Status kSuccess = 0;
using Handle = struct cublasLtContext *;
using MatmulDesc = struct cublasLtMatmulDescOpaque *;
using MatrixLayout = struct cublasLtMatrixLayoutOpaque *;
using Preference = struct cublasLtMatmulPreferenceOpaque *;
struct Algorithm {
  uint64_t data[8];
};
struct HeuristicResult {
  Algorithm algo;
  size_t workspaceSize;
  Status state;
  float wavesCount;
  int reserved[4];
};

// cublasComputeType_t, cudaDataType_t, cublasOperation_t and the attributes.
constexpr int kCompute32F = 68;
constexpr int kCompute64F = 70;
constexpr int kOpN = 0;
constexpr int kOpT = 1;
constexpr int kDescTransA = 3;
constexpr int kDescTransB = 4;
constexpr int kLayoutBatchCount = 5;
constexpr int kLayoutStridedBatchOffset = 6;
constexpr int kPrefMaxWorkspaceBytes = 1;
constexpr int kPrefMinAlignmentABytes = 5; // then B, C, D: 6, 7, 8

struct Library {
  Status (*create)(Handle *);
  const char *(*statusString)(Status);
  Status (*descCreate)(MatmulDesc *, int computeType, int scaleType);
  Status (*descDestroy)(MatmulDesc);
  Status (*descSetAttribute)(MatmulDesc, int, const void *, size_t);
  Status (*layoutCreate)(MatrixLayout *, int type, uint64_t rows,
                         uint64_t columns, int64_t leadingDimension);
  Status (*layoutDestroy)(MatrixLayout);
  Status (*layoutSetAttribute)(MatrixLayout, int, const void *, size_t);
  Status (*preferenceCreate)(Preference *);
  Status (*preferenceDestroy)(Preference);
  Status (*preferenceSetAttribute)(Preference, int, const void *, size_t);
  Status (*getHeuristic)(Handle, MatmulDesc, MatrixLayout, MatrixLayout,
                         MatrixLayout, MatrixLayout, Preference, int requested,
                         HeuristicResult *, int *returned);
  Status (*matmul)(Handle, MatmulDesc, const void *alpha, const void *a,
                   MatrixLayout, const void *b, MatrixLayout, const void *beta,
                   const void *c, MatrixLayout, void *d, MatrixLayout,
                   const Algorithm *, void *workspace, size_t workspaceBytes,
                   void *stream);
};

/// The heuristic's best algorithms a problem keeps (variants ask for one of
/// them by rank).
constexpr int kMaxAlgorithms = 8;
/// Workspace the algorithms may use (what PyTorch gives cuBLASLt on Hopper).
constexpr uint64_t kMaxWorkspaceBytes = 32u << 20;
/// Problems kept; past this the cache starts over (shapes that change on
/// every call must not grow it without bound).
constexpr size_t kMaxProblems = 4096;

std::string &loadErrorStorage() {
  static std::string *error = new std::string();
  return *error;
}

template <typename Fn>
bool resolve(void *library, Fn &slot, const char *name, std::string &missing) {
  slot = reinterpret_cast<Fn>(dlsym(library, name));
  if (!slot && missing.empty())
    missing = name;
  return slot != nullptr;
}

const Library *load() {
  const char *override = environmentValue("MULTIKERNEL_CUBLASLT_LIBRARY");
  std::vector<const char *> names;
  if (override && *override)
    names = {override};
  else
    names = {"libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so",
             "/usr/local/cuda/lib64/libcublasLt.so"};
  void *handle = nullptr;
  std::string why;
  for (const char *name : names) {
    handle = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (handle)
      break;
    const char *error = dlerror();
    why = error ? error : std::string(name) + ": cannot be opened";
  }
  if (!handle) {
    loadErrorStorage() = "cuBLASLt cannot be loaded (" + why +
                         "); set MULTIKERNEL_CUBLASLT_LIBRARY to its path";
    return nullptr;
  }
  static Library table;
  std::string missing;
  resolve(handle, table.create, "cublasLtCreate", missing);
  resolve(handle, table.statusString, "cublasLtGetStatusString", missing);
  resolve(handle, table.descCreate, "cublasLtMatmulDescCreate", missing);
  resolve(handle, table.descDestroy, "cublasLtMatmulDescDestroy", missing);
  resolve(handle, table.descSetAttribute, "cublasLtMatmulDescSetAttribute",
          missing);
  resolve(handle, table.layoutCreate, "cublasLtMatrixLayoutCreate", missing);
  resolve(handle, table.layoutDestroy, "cublasLtMatrixLayoutDestroy", missing);
  resolve(handle, table.layoutSetAttribute, "cublasLtMatrixLayoutSetAttribute",
          missing);
  resolve(handle, table.preferenceCreate, "cublasLtMatmulPreferenceCreate",
          missing);
  resolve(handle, table.preferenceDestroy, "cublasLtMatmulPreferenceDestroy",
          missing);
  resolve(handle, table.preferenceSetAttribute,
          "cublasLtMatmulPreferenceSetAttribute", missing);
  resolve(handle, table.getHeuristic, "cublasLtMatmulAlgoGetHeuristic",
          missing);
  resolve(handle, table.matmul, "cublasLtMatmul", missing);
  if (!missing.empty()) {
    loadErrorStorage() = "the cuBLASLt library lacks '" + missing +
                         "'; it is not cuBLASLt, or too old";
    return nullptr;
  }
  return &table;
}

/// The library, or nullptr with the reason recorded, and printed once per
/// process: every matmul site's library variants fail alike.
const Library *library() {
  static const Library *loaded = load();
  if (!loaded) {
    static std::atomic<bool> printed{false};
    if (!printed.exchange(true))
      std::fprintf(stderr,
                   "multikernel: %s; GPU matmul sites use their generated "
                   "variants only\n",
                   loadErrorStorage().c_str());
    gpu::recordError("mkrtGpuCublasLtMatmul: " + loadErrorStorage(),
                     /*print=*/false);
  }
  return loaded;
}

bool check(const Library &lib, Status status, const char *call) {
  if (status == kSuccess)
    return true;
  const char *text = lib.statusString ? lib.statusString(status) : nullptr;
  gpu::recordError(std::string(call) + " failed: " +
                   (text ? text : "status " + std::to_string(status)));
  return false;
}

//===----------------------------------------------------------------------===//
// Problems
//===----------------------------------------------------------------------===//

/// A logical rows x columns matrix whose element (i, j) is at
/// i * rowStride + j * columnStride, as cuBLASLt takes it: column-major with
/// a leading dimension, transposed (CUBLAS_OP_T: the columns are the
/// contiguous ones) or not. False where neither dimension is contiguous.
struct ColumnMajor {
  bool transposed = false;
  uint64_t rows = 0, columns = 0; // of the stored matrix
  int64_t leadingDimension = 0;
};

bool asColumnMajor(int64_t rows, int64_t columns, int64_t rowStride,
                   int64_t columnStride, ColumnMajor &out) {
  // A dimension of size one has any stride; that of the other dimension
  // (or, for a single element, the size) is the leading one.
  if (rowStride == 1 || rows == 1) {
    int64_t ld = columns == 1 ? rows : columnStride;
    if (ld >= rows) {
      out = {false, uint64_t(rows), uint64_t(columns), ld};
      return true;
    }
  }
  if (columnStride == 1 || columns == 1) {
    int64_t ld = rows == 1 ? columns : rowStride;
    if (ld >= columns) {
      out = {true, uint64_t(columns), uint64_t(rows), ld};
      return true;
    }
  }
  return false;
}

int64_t alignmentOf(uintptr_t address) {
  int64_t alignment = 256;
  while (alignment > 1 && address % alignment)
    alignment /= 2;
  return alignment;
}

/// What the descriptors and the heuristic depend on.
using ProblemKey = std::array<int64_t, 18>;

/// The descriptors and algorithms of one problem; destroyed with the last
/// user (a cache reset while another thread calls keeps its problem alive).
struct Problem {
  const Library *lib = nullptr;
  MatmulDesc desc = nullptr;
  MatrixLayout layouts[3] = {}; // cuBLASLt's A, B and C (= D)
  HeuristicResult algorithms[kMaxAlgorithms] = {};
  int numAlgorithms = 0;
  bool doubles = false;

  ~Problem() {
    if (desc)
      lib->descDestroy(desc);
    for (MatrixLayout layout : layouts)
      if (layout)
        lib->layoutDestroy(layout);
  }
};

struct Cache {
  std::mutex mutex;
  std::map<void *, Handle> handles; // per context
  std::map<ProblemKey, std::shared_ptr<const Problem>> problems;
};

Cache &cache() {
  static Cache *instance = new Cache();
  return *instance;
}

/// One matrix of the call: the logical view cuBLASLt takes (see the file
/// comment) and its batch stride.
struct Operand {
  uintptr_t address;
  ColumnMajor layout;
  int64_t batchStride;
};

std::shared_ptr<const Problem> makeProblem(const Library &lib, Handle handle,
                                           int32_t inputType,
                                           int32_t outputType, int64_t batch,
                                           int64_t m, int64_t n, int64_t k,
                                           const Operand (&operands)[3]) {
  auto problem = std::make_shared<Problem>();
  problem->lib = &lib;
  problem->doubles = outputType == MKRT_GPU_F64;
  int compute = problem->doubles ? kCompute64F : kCompute32F;
  int scale = problem->doubles ? MKRT_GPU_F64 : MKRT_GPU_F32;
  if (!check(lib, lib.descCreate(&problem->desc, compute, scale),
             "cublasLtMatmulDescCreate"))
    return nullptr;
  int32_t transA = operands[0].layout.transposed ? kOpT : kOpN;
  int32_t transB = operands[1].layout.transposed ? kOpT : kOpN;
  if (!check(lib,
             lib.descSetAttribute(problem->desc, kDescTransA, &transA,
                                  sizeof(transA)),
             "cublasLtMatmulDescSetAttribute") ||
      !check(lib,
             lib.descSetAttribute(problem->desc, kDescTransB, &transB,
                                  sizeof(transB)),
             "cublasLtMatmulDescSetAttribute"))
    return nullptr;
  for (int i = 0; i < 3; ++i) {
    const ColumnMajor &layout = operands[i].layout;
    int type = i < 2 ? inputType : outputType;
    if (!check(lib,
               lib.layoutCreate(&problem->layouts[i], type, layout.rows,
                                layout.columns, layout.leadingDimension),
               "cublasLtMatrixLayoutCreate"))
      return nullptr;
    if (batch > 1) {
      int32_t count = static_cast<int32_t>(batch);
      int64_t stride = operands[i].batchStride;
      if (!check(lib,
                 lib.layoutSetAttribute(problem->layouts[i], kLayoutBatchCount,
                                        &count, sizeof(count)),
                 "cublasLtMatrixLayoutSetAttribute") ||
          !check(lib,
                 lib.layoutSetAttribute(problem->layouts[i],
                                        kLayoutStridedBatchOffset, &stride,
                                        sizeof(stride)),
                 "cublasLtMatrixLayoutSetAttribute"))
        return nullptr;
    }
  }
  Preference preference = nullptr;
  if (!check(lib, lib.preferenceCreate(&preference),
             "cublasLtMatmulPreferenceCreate"))
    return nullptr;
  bool ok = check(lib,
                  lib.preferenceSetAttribute(preference, kPrefMaxWorkspaceBytes,
                                             &kMaxWorkspaceBytes,
                                             sizeof(kMaxWorkspaceBytes)),
                  "cublasLtMatmulPreferenceSetAttribute");
  // The algorithms must suit the pointers' alignment (the default assumes
  // 256 bytes); D is C.
  for (int i = 0; ok && i < 4; ++i) {
    uint32_t alignment =
        static_cast<uint32_t>(alignmentOf(operands[i < 3 ? i : 2].address));
    ok = check(lib,
               lib.preferenceSetAttribute(preference,
                                          kPrefMinAlignmentABytes + i,
                                          &alignment, sizeof(alignment)),
               "cublasLtMatmulPreferenceSetAttribute");
  }
  if (ok)
    ok = check(lib,
               lib.getHeuristic(handle, problem->desc, problem->layouts[0],
                                problem->layouts[1], problem->layouts[2],
                                problem->layouts[2], preference, kMaxAlgorithms,
                                problem->algorithms, &problem->numAlgorithms),
               "cublasLtMatmulAlgoGetHeuristic");
  lib.preferenceDestroy(preference);
  if (!ok)
    return nullptr;
  if (problem->numAlgorithms < 1) {
    gpu::recordError("cuBLASLt has no algorithm for a " + std::to_string(m) +
                     "x" + std::to_string(n) + "x" + std::to_string(k) +
                     " matmul of batch " + std::to_string(batch));
    return nullptr;
  }
  return problem;
}

const char *typeName(int32_t type) {
  switch (type) {
  case MKRT_GPU_F32:
    return "f32";
  case MKRT_GPU_F64:
    return "f64";
  case MKRT_GPU_F16:
    return "f16";
  case MKRT_GPU_BF16:
    return "bf16";
  default:
    return nullptr;
  }
}

/// Bytes of an element of `type` (one of typeName's).
int64_t elementBytes(int32_t type) {
  return type == MKRT_GPU_F64 ? 8 : type == MKRT_GPU_F32 ? 4 : 2;
}

/// C = 0 for `batch` matrices of m x n elements of `type` with contiguous
/// rows (C = A * B with K = 0, where cuBLASLt takes no call): one memset
/// for all where the matrices are packed, else one per matrix or per row.
void zeroMatrices(const char *call, int32_t type, int64_t batch, int64_t m,
                  int64_t n, uintptr_t c, int64_t batchStride,
                  int64_t rowStride, int64_t columnStride) {
  if (columnStride != 1 && n > 1) {
    gpu::recordError(std::string(call) + ": C needs contiguous rows");
    return;
  }
  void *stream = nullptr, *context = nullptr;
  if (!gpu::currentStreamFor(call, &stream, &context))
    return;
  int64_t bytes = elementBytes(type);
  auto zero = [&](int64_t elementOffset, int64_t elements) {
    auto *address = reinterpret_cast<void *>(c + elementOffset * bytes);
    int64_t total = elements * bytes;
    if (total % 4 == 0 && reinterpret_cast<uintptr_t>(address) % 4 == 0)
      mgpuMemset32(address, 0, total / 4, stream);
    else
      mgpuMemset16(address, 0, total / 2, stream);
  };
  bool rowsPacked = m == 1 || rowStride == n;
  if (rowsPacked && (batch == 1 || batchStride == m * n)) {
    zero(0, batch * m * n);
    return;
  }
  for (int64_t matrix = 0; matrix < batch; ++matrix) {
    if (rowsPacked) {
      zero(matrix * batchStride, m * n);
      continue;
    }
    for (int64_t row = 0; row < m; ++row)
      zero(matrix * batchStride + row * rowStride, n);
  }
}

} // namespace

extern "C" int32_t mkrtGpuCublasLtIsAvailable(void) {
  return library() != nullptr;
}

extern "C" void
mkrtGpuCublasLtMatmul(int32_t algorithm, int32_t accumulate, int32_t aType,
                      int32_t bType, int32_t cType, int64_t batch, int64_t m,
                      int64_t n, int64_t k, uintptr_t a, int64_t aBatchStride,
                      int64_t aRowStride, int64_t aColumnStride, uintptr_t b,
                      int64_t bBatchStride, int64_t bRowStride,
                      int64_t bColumnStride, uintptr_t c, int64_t cBatchStride,
                      int64_t cRowStride, int64_t cColumnStride) {
  const char *call = "mkrtGpuCublasLtMatmul";
  // Types cuBLASLt computes as the IR says: equal inputs, C of their type
  // or f32, all f64, and nothing rounded to TF32.
  bool typesKnown = typeName(aType) && typeName(bType) && typeName(cType);
  bool doubles = aType == MKRT_GPU_F64 || cType == MKRT_GPU_F64;
  if (!typesKnown || aType != bType ||
      (doubles ? cType != aType : (cType != aType && cType != MKRT_GPU_F32))) {
    gpu::recordError(std::string(call) + ": cuBLASLt does not compute " +
                     (typeName(aType) ? typeName(aType) : "?") + " x " +
                     (typeName(bType) ? typeName(bType) : "?") + " -> " +
                     (typeName(cType) ? typeName(cType) : "?"));
    return;
  }
  if (batch < 0 || m < 0 || n < 0 || k < 0 || algorithm < 0) {
    gpu::recordError(std::string(call) + ": negative sizes");
    return;
  }
  const Library *lib = library();
  if (!lib)
    return;
  if (batch == 0 || m == 0 || n == 0)
    return;
  // C += A * B over nothing changes nothing; C = A * B zeroes C.
  if (k == 0) {
    if (!accumulate)
      zeroMatrices(call, cType, batch, m, n, c, cBatchStride, cRowStride,
                   cColumnStride);
    return;
  }
  // C^T (N x M) = B^T (N x K) * A^T (K x M), column-major.
  Operand operands[3];
  operands[0] = {b, {}, bBatchStride};
  operands[1] = {a, {}, aBatchStride};
  operands[2] = {c, {}, cBatchStride};
  if (!asColumnMajor(n, k, bColumnStride, bRowStride, operands[0].layout) ||
      !asColumnMajor(k, m, aColumnStride, aRowStride, operands[1].layout) ||
      !asColumnMajor(n, m, cColumnStride, cRowStride, operands[2].layout) ||
      operands[2].layout.transposed) {
    gpu::recordError(std::string(call) +
                     ": cuBLASLt needs a contiguous dimension in A and B and "
                     "contiguous rows of C");
    return;
  }
  void *stream = nullptr, *context = nullptr;
  if (!gpu::currentStreamFor(call, &stream, &context))
    return;

  ProblemKey key;
  {
    const ColumnMajor &x = operands[0].layout, &y = operands[1].layout,
                      &z = operands[2].layout;
    key = {reinterpret_cast<intptr_t>(context),
           aType,
           cType,
           batch,
           m,
           n,
           k,
           x.transposed,
           x.leadingDimension,
           y.transposed,
           y.leadingDimension,
           z.leadingDimension,
           batch > 1 ? aBatchStride : 0,
           batch > 1 ? bBatchStride : 0,
           batch > 1 ? cBatchStride : 0,
           alignmentOf(a),
           alignmentOf(b),
           alignmentOf(c)};
  }
  Handle handle = nullptr;
  std::shared_ptr<const Problem> problem;
  {
    Cache &state = cache();
    std::lock_guard<std::mutex> lock(state.mutex);
    auto [slot, isNew] = state.handles.try_emplace(context, nullptr);
    if (isNew && !check(*lib, lib->create(&slot->second), "cublasLtCreate")) {
      state.handles.erase(slot);
      return;
    }
    handle = slot->second;
    auto found = state.problems.find(key);
    if (found != state.problems.end()) {
      problem = found->second;
    } else {
      problem =
          makeProblem(*lib, handle, aType, cType, batch, m, n, k, operands);
      if (!problem)
        return;
      if (state.problems.size() >= kMaxProblems)
        state.problems.clear();
      state.problems.emplace(key, problem);
    }
  }
  // The algorithm-th best, or the last one the heuristic proposed for this
  // shape: a variant runs for every shape.
  const HeuristicResult &chosen = problem->algorithms[std::min<int64_t>(
      algorithm, problem->numAlgorithms - 1)];
  void *workspace = nullptr;
  if (chosen.workspaceSize > 0) {
    uint64_t errorsBefore = gpu::errorCount();
    workspace = mgpuMemAlloc(chosen.workspaceSize, stream, false);
    if (gpu::errorCount() != errorsBefore)
      return;
  }
  // C = A * B + beta C: alpha = 1, beta = 1 to accumulate (else 0: C is
  // not read), in the scale type.
  float scalesFloat[2] = {1.0f, accumulate ? 1.0f : 0.0f};
  double scalesDouble[2] = {1.0, accumulate ? 1.0 : 0.0};
  const void *one = problem->doubles ? static_cast<const void *>(scalesDouble)
                                     : static_cast<const void *>(scalesFloat);
  const void *beta = problem->doubles
                         ? static_cast<const void *>(scalesDouble + 1)
                         : static_cast<const void *>(scalesFloat + 1);
  check(*lib,
        lib->matmul(handle, problem->desc, one,
                    reinterpret_cast<const void *>(operands[0].address),
                    problem->layouts[0],
                    reinterpret_cast<const void *>(operands[1].address),
                    problem->layouts[1], beta,
                    reinterpret_cast<const void *>(c), problem->layouts[2],
                    reinterpret_cast<void *>(c), problem->layouts[2],
                    &chosen.algo, workspace, chosen.workspaceSize, stream),
        "cublasLtMatmul");
  if (workspace)
    mgpuMemFree(workspace, stream);
}
