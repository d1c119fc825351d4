//===- FakeCublasLt.cpp - a cuBLASLt stand-in for tests -------------------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// libFakeCublasLt.so exports the cublasLt* entry points the runtime
// resolves. Device memory is host memory (FakeCudaDriver), so the fake
// computes D = alpha op(A) op(B) + beta C itself, column-major as cuBLASLt
// does, in f32 or f64: a test of the runtime's row-major-to-column-major
// mapping (transposes, leading dimensions, batch strides) that needs no GPU.
// Its heuristic proposes two algorithms; `fakeCublasLtCounters` counts the
// calls.
//
//===----------------------------------------------------------------------===//

#include <cstdint>
#include <cstring>
#include <vector>

#define FAKE_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

struct Desc {
  int computeType;
  int transA = 0, transB = 0;
};
struct Layout {
  int type;
  uint64_t rows, columns;
  int64_t ld;
  int32_t batchCount = 1;
  int64_t batchStride = 0;
};
struct Preference {
  uint32_t alignments[4] = {256, 256, 256, 256};
};
struct Algorithm {
  uint64_t data[8];
};
struct HeuristicResult {
  Algorithm algo;
  size_t workspaceSize;
  int state;
  float wavesCount;
  int reserved[4];
};

constexpr int kF32 = 0, kF64 = 1;
constexpr int kNotSupported = 15, kInvalidValue = 7;

} // namespace

struct FakeCublasLtCounters {
  int creates;
  int heuristicCalls;
  int matmuls;
  uint64_t lastAlgorithm;     // algo.data[0] of the last matmul
  uint32_t lastAlignments[4]; // of the last heuristic query (A, B, C, D)
  int lastTransA, lastTransB;
  size_t lastWorkspaceBytes;
  double lastBeta;
};
FAKE_EXPORT FakeCublasLtCounters fakeCublasLtCounters = {};

FAKE_EXPORT int cublasLtCreate(void **handle) {
  ++fakeCublasLtCounters.creates;
  static int token;
  *handle = &token;
  return 0;
}
FAKE_EXPORT const char *cublasLtGetStatusString(int status) {
  return status == kNotSupported ? "CUBLAS_STATUS_NOT_SUPPORTED"
                                 : "CUBLAS_STATUS_FAKE_ERROR";
}
FAKE_EXPORT int cublasLtMatmulDescCreate(Desc **desc, int computeType,
                                         int /*scaleType*/) {
  *desc = new Desc{computeType};
  return 0;
}
FAKE_EXPORT int cublasLtMatmulDescDestroy(Desc *desc) {
  delete desc;
  return 0;
}
FAKE_EXPORT int cublasLtMatmulDescSetAttribute(Desc *desc, int attribute,
                                               const void *value, size_t) {
  if (attribute == 3)
    std::memcpy(&desc->transA, value, sizeof(int));
  else if (attribute == 4)
    std::memcpy(&desc->transB, value, sizeof(int));
  else
    return kInvalidValue;
  return 0;
}
FAKE_EXPORT int cublasLtMatrixLayoutCreate(Layout **layout, int type,
                                           uint64_t rows, uint64_t columns,
                                           int64_t ld) {
  if (ld < static_cast<int64_t>(rows))
    return kInvalidValue;
  *layout = new Layout{type, rows, columns, ld};
  return 0;
}
FAKE_EXPORT int cublasLtMatrixLayoutDestroy(Layout *layout) {
  delete layout;
  return 0;
}
FAKE_EXPORT int cublasLtMatrixLayoutSetAttribute(Layout *layout, int attribute,
                                                 const void *value, size_t) {
  if (attribute == 5)
    std::memcpy(&layout->batchCount, value, sizeof(int32_t));
  else if (attribute == 6)
    std::memcpy(&layout->batchStride, value, sizeof(int64_t));
  else
    return kInvalidValue;
  return 0;
}
FAKE_EXPORT int cublasLtMatmulPreferenceCreate(Preference **preference) {
  *preference = new Preference();
  return 0;
}
FAKE_EXPORT int cublasLtMatmulPreferenceDestroy(Preference *preference) {
  delete preference;
  return 0;
}
FAKE_EXPORT int cublasLtMatmulPreferenceSetAttribute(Preference *preference,
                                                     int attribute,
                                                     const void *value,
                                                     size_t) {
  if (attribute >= 5 && attribute <= 8)
    std::memcpy(&preference->alignments[attribute - 5], value,
                sizeof(uint32_t));
  else if (attribute != 1)
    return kInvalidValue;
  return 0;
}
FAKE_EXPORT int cublasLtMatmulAlgoGetHeuristic(void *, Desc *, Layout *a,
                                               Layout *, Layout *c, Layout *,
                                               Preference *pref, int requested,
                                               HeuristicResult *results,
                                               int *returned) {
  ++fakeCublasLtCounters.heuristicCalls;
  std::memcpy(fakeCublasLtCounters.lastAlignments, pref->alignments,
              sizeof(pref->alignments));
  // Only f32 and f64 are computed here.
  if ((a->type != kF32 && a->type != kF64) || c->type != a->type) {
    *returned = 0;
    return kNotSupported;
  }
  int count = requested < 2 ? requested : 2;
  for (int i = 0; i < count; ++i) {
    results[i] = {};
    results[i].algo.data[0] = 100 + i;
    results[i].workspaceSize = i == 1 ? 4096 : 0;
  }
  *returned = count;
  return 0;
}

namespace {
template <typename T>
void compute(const Desc &desc, double alpha, const T *a, const Layout &la,
             const T *b, const Layout &lb, double beta, const T *c,
             const Layout &lc, T *d) {
  // op(A) is m x k, op(B) k x n, C m x n; element (i, j) of a column-major
  // layout at i + j * ld, of its transpose at j + i * ld.
  uint64_t m = lc.rows, n = lc.columns;
  uint64_t k = desc.transA ? la.rows : la.columns;
  for (int32_t batch = 0; batch < lc.batchCount; ++batch) {
    const T *ab = a + batch * la.batchStride;
    const T *bb = b + batch * lb.batchStride;
    const T *cb = c + batch * lc.batchStride;
    T *db = d + batch * lc.batchStride;
    std::vector<T> result(m * n);
    for (uint64_t i = 0; i < m; ++i)
      for (uint64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (uint64_t p = 0; p < k; ++p) {
          double x = desc.transA ? ab[p + i * la.ld] : ab[i + p * la.ld];
          double y = desc.transB ? bb[j + p * lb.ld] : bb[p + j * lb.ld];
          sum += x * y;
        }
        // As cuBLASLt: with beta = 0, C is not read (it may hold NaNs).
        double old = beta == 0 ? 0 : beta * cb[i + j * lc.ld];
        result[i + j * m] = static_cast<T>(alpha * sum + old);
      }
    for (uint64_t i = 0; i < m; ++i)
      for (uint64_t j = 0; j < n; ++j)
        db[i + j * lc.ld] = result[i + j * m];
  }
}
} // namespace

FAKE_EXPORT int cublasLtMatmul(void *, Desc *desc, const void *alpha,
                               const void *a, Layout *la, const void *b,
                               Layout *lb, const void *beta, const void *c,
                               Layout *lc, void *d, Layout *ld,
                               const Algorithm *algo, void *workspace,
                               size_t workspaceBytes, void * /*stream*/) {
  ++fakeCublasLtCounters.matmuls;
  fakeCublasLtCounters.lastAlgorithm = algo->data[0];
  fakeCublasLtCounters.lastTransA = desc->transA;
  fakeCublasLtCounters.lastTransB = desc->transB;
  fakeCublasLtCounters.lastWorkspaceBytes = workspaceBytes;
  if (lc != ld || (workspaceBytes > 0 && !workspace))
    return kInvalidValue;
  fakeCublasLtCounters.lastBeta = la->type == kF64
                                      ? *static_cast<const double *>(beta)
                                      : *static_cast<const float *>(beta);
  if (la->type == kF64)
    compute(*desc, *static_cast<const double *>(alpha),
            static_cast<const double *>(a), *la, static_cast<const double *>(b),
            *lb, *static_cast<const double *>(beta),
            static_cast<const double *>(c), *lc, static_cast<double *>(d));
  else
    compute(*desc, *static_cast<const float *>(alpha),
            static_cast<const float *>(a), *la, static_cast<const float *>(b),
            *lb, *static_cast<const float *>(beta),
            static_cast<const float *>(c), *lc, static_cast<float *>(d));
  return 0;
}
