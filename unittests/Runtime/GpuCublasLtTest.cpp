//===- GpuCublasLtTest.cpp - cuBLASLt variants on the fake libraries ------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//
//
// mkrtGpuCublasLtMatmul against libFakeCublasLt.so (which computes in host
// memory, as the fake driver's device memory is): row-major operands of any
// contiguous layout mapped onto column-major cuBLASLt, batches, the
// algorithm picked by rank, pointer alignment told to the heuristic, one
// heuristic query per problem, and failures recorded where the dispatcher
// sees them.
//
//===----------------------------------------------------------------------===//

#include "GpuSupport.h"

#include "multikernel/Runtime/MultiKernelGpu.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <dlfcn.h>
#include <string>
#include <vector>

namespace {

struct FakeCublasLtCounters {
  int creates;
  int heuristicCalls;
  int matmuls;
  uint64_t lastAlgorithm;
  uint32_t lastAlignments[4];
  int lastTransA, lastTransB;
  size_t lastWorkspaceBytes;
  double lastBeta;
};

FakeCublasLtCounters &counters() {
  static auto *result = static_cast<FakeCublasLtCounters *>(
      dlsym(dlopen(MULTIKERNEL_FAKE_CUBLASLT_LIBRARY, RTLD_NOW),
            "fakeCublasLtCounters"));
  return *result;
}

/// A row-major matrix (rows x columns) stored with `rowStride` and
/// `columnStride` (one of them 1), values from `seed`.
struct Matrix {
  int64_t rows, columns, rowStride, columnStride;
  std::vector<float> data;

  Matrix(int64_t rows, int64_t columns, bool transposed, float seed)
      : rows(rows), columns(columns), rowStride(transposed ? 1 : columns),
        columnStride(transposed ? rows : 1), data(rows * columns) {
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < columns; ++j)
        at(i, j) = seed + static_cast<float>((i * 7 + j * 3) % 11) - 5;
  }
  float &at(int64_t i, int64_t j) {
    return data[i * rowStride + j * columnStride];
  }
  uintptr_t address() { return reinterpret_cast<uintptr_t>(data.data()); }
};

/// Runs C += A * B (C = A * B unless `accumulate`) through the runtime;
/// false if it recorded a failure.
bool run(int32_t algorithm, Matrix &a, Matrix &b, Matrix &c,
         bool accumulate = true) {
  uint64_t errors = multikernel::runtime::gpu::errorCount();
  mkrtGpuCublasLtMatmul(algorithm, accumulate, MKRT_GPU_F32, MKRT_GPU_F32,
                        MKRT_GPU_F32, 1, a.rows, b.columns, a.columns,
                        a.address(), 0, a.rowStride, a.columnStride,
                        b.address(), 0, b.rowStride, b.columnStride,
                        c.address(), 0, c.rowStride, c.columnStride);
  return multikernel::runtime::gpu::errorCount() == errors;
}

void expectProduct(Matrix &a, Matrix &b, Matrix &c, Matrix &before) {
  for (int64_t i = 0; i < c.rows; ++i)
    for (int64_t j = 0; j < c.columns; ++j) {
      float expected = before.at(i, j);
      for (int64_t p = 0; p < a.columns; ++p)
        expected += a.at(i, p) * b.at(p, j);
      EXPECT_FLOAT_EQ(c.at(i, j), expected) << "at " << i << ", " << j;
    }
}

TEST(GpuCublasLtTest, IsAvailable) {
  EXPECT_EQ(mkrtGpuCublasLtIsAvailable(), 1);
}

TEST(GpuCublasLtTest, EveryLayoutOfAAndB) {
  for (bool aTransposed : {false, true})
    for (bool bTransposed : {false, true}) {
      Matrix a(3, 4, aTransposed, 1), b(4, 5, bTransposed, 2),
          c(3, 5, false, 3), before = c;
      ASSERT_TRUE(run(0, a, b, c)) << mkrtGpuGetLastError();
      expectProduct(a, b, c, before);
      // C^T = B^T A^T: B stored row-major is B^T column-major (no op).
      EXPECT_EQ(counters().lastTransA, bTransposed ? 1 : 0);
      EXPECT_EQ(counters().lastTransB, aTransposed ? 1 : 0);
    }
}

TEST(GpuCublasLtTest, VectorsAndSingleElements) {
  // m = 1, n = 1 and k = 1: dimensions of size one have any stride.
  for (auto [m, n, k] :
       {std::tuple{1, 5, 4}, {3, 1, 4}, {3, 5, 1}, {1, 1, 1}}) {
    Matrix a(m, k, false, 1), b(k, n, false, 2), c(m, n, false, 3), before = c;
    ASSERT_TRUE(run(0, a, b, c)) << mkrtGpuGetLastError();
    expectProduct(a, b, c, before);
  }
}

TEST(GpuCublasLtTest, WithoutAccumulatingCIsNotRead) {
  // C = A * B (beta = 0): C's NaNs do not reach the result.
  for (bool aTransposed : {false, true}) {
    Matrix a(3, 4, aTransposed, 1), b(4, 5, false, 2), c(3, 5, false, 0),
        zeros = c;
    std::fill(c.data.begin(), c.data.end(), std::nanf(""));
    std::fill(zeros.data.begin(), zeros.data.end(), 0.0f);
    ASSERT_TRUE(run(0, a, b, c, /*accumulate=*/false)) << mkrtGpuGetLastError();
    expectProduct(a, b, c, zeros);
    EXPECT_EQ(counters().lastBeta, 0.0);
  }
  Matrix a(2, 3, false, 1), b(3, 2, false, 2), c(2, 2, false, 3);
  ASSERT_TRUE(run(0, a, b, c));
  EXPECT_EQ(counters().lastBeta, 1.0);
}

TEST(GpuCublasLtTest, EmptySumWithoutAccumulatingZeroesC) {
  // K = 0: C = A * B is zero, without a cuBLASLt call; C's rows packed
  // (one memset), padded (a memset per row) and batched.
  int matmuls = counters().matmuls;
  std::vector<float> none(1);
  auto address = [](std::vector<float> &v) {
    return reinterpret_cast<uintptr_t>(v.data());
  };
  std::vector<float> packed(2 * 3 * 4, 7.0f);
  mkrtGpuCublasLtMatmul(0, 0, MKRT_GPU_F32, MKRT_GPU_F32, MKRT_GPU_F32, 2, 3, 4,
                        0, address(none), 0, 0, 1, address(none), 0, 4, 1,
                        address(packed), 12, 4, 1);
  EXPECT_EQ(packed, std::vector<float>(2 * 3 * 4, 0.0f));
  // Rows of 4 elements 6 apart: the padding keeps its values.
  std::vector<float> padded(3 * 6, 7.0f);
  mkrtGpuCublasLtMatmul(0, 0, MKRT_GPU_F32, MKRT_GPU_F32, MKRT_GPU_F32, 1, 3, 4,
                        0, address(none), 0, 0, 1, address(none), 0, 4, 1,
                        address(padded), 0, 6, 1);
  for (int64_t i = 0; i < 3; ++i)
    for (int64_t j = 0; j < 6; ++j)
      EXPECT_EQ(padded[i * 6 + j], j < 4 ? 0.0f : 7.0f) << i << ", " << j;
  // Accumulating over nothing changes nothing.
  std::vector<float> kept(12, 7.0f);
  mkrtGpuCublasLtMatmul(0, 1, MKRT_GPU_F32, MKRT_GPU_F32, MKRT_GPU_F32, 1, 3, 4,
                        0, address(none), 0, 0, 1, address(none), 0, 4, 1,
                        address(kept), 0, 4, 1);
  EXPECT_EQ(kept, std::vector<float>(12, 7.0f));
  EXPECT_EQ(counters().matmuls, matmuls);
}

TEST(GpuCublasLtTest, Batches) {
  // Two 2x3 * 3x2 products, each matrix after the other.
  constexpr int64_t batch = 2, m = 2, n = 2, k = 3;
  std::vector<float> a(batch * m * k), b(batch * k * n), c(batch * m * n, 1);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<float>(i);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = static_cast<float>(i % 5) - 2;
  mkrtGpuCublasLtMatmul(0, 1, MKRT_GPU_F32, MKRT_GPU_F32, MKRT_GPU_F32, batch,
                        m, n, k, reinterpret_cast<uintptr_t>(a.data()), m * k,
                        k, 1, reinterpret_cast<uintptr_t>(b.data()), k * n, n,
                        1, reinterpret_cast<uintptr_t>(c.data()), m * n, n, 1);
  for (int64_t s = 0; s < batch; ++s)
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        float expected = 1;
        for (int64_t p = 0; p < k; ++p)
          expected += a[s * m * k + i * k + p] * b[s * k * n + p * n + j];
        EXPECT_FLOAT_EQ(c[s * m * n + i * n + j], expected);
      }
}

TEST(GpuCublasLtTest, AlgorithmByRankAndOneHeuristicQueryPerProblem) {
  Matrix a(6, 7, false, 1), b(7, 8, false, 2), c(6, 8, false, 3);
  int queries = counters().heuristicCalls;
  ASSERT_TRUE(run(0, a, b, c));
  EXPECT_EQ(counters().lastAlgorithm, 100u);
  EXPECT_EQ(counters().lastWorkspaceBytes, 0u);
  ASSERT_TRUE(run(1, a, b, c));
  EXPECT_EQ(counters().lastAlgorithm, 101u);
  // The second algorithm asks for a workspace, from the pool.
  EXPECT_EQ(counters().lastWorkspaceBytes, 4096u);
  // The heuristic proposes two: rank 5 runs the last.
  ASSERT_TRUE(run(5, a, b, c));
  EXPECT_EQ(counters().lastAlgorithm, 101u);
  EXPECT_EQ(counters().heuristicCalls, queries + 1);
}

TEST(GpuCublasLtTest, PointerAlignmentGoesToTheHeuristic) {
  // B and C 256-byte aligned, A one element past such an address.
  std::vector<float> storage(64 * 4);
  uintptr_t base = (reinterpret_cast<uintptr_t>(storage.data()) + 255) & ~255;
  uintptr_t a = base + 4, b = base + 256, c = base + 512;
  mkrtGpuCublasLtMatmul(0, 1, MKRT_GPU_F32, MKRT_GPU_F32, MKRT_GPU_F32, 1, 2, 2,
                        2, a, 0, 2, 1, b, 0, 2, 1, c, 0, 2, 1);
  // cuBLASLt's A, B, C and D are our B, A, C and C.
  EXPECT_EQ(counters().lastAlignments[0], 256u);
  EXPECT_EQ(counters().lastAlignments[1], 4u);
  EXPECT_EQ(counters().lastAlignments[2], 256u);
  EXPECT_EQ(counters().lastAlignments[3], 256u);
}

TEST(GpuCublasLtTest, FailuresAreRecorded) {
  Matrix a(3, 4, false, 1), b(4, 5, false, 2), c(3, 5, false, 3);
  uint64_t errors = multikernel::runtime::gpu::errorCount();
  // Inputs of two types.
  mkrtGpuCublasLtMatmul(0, 1, MKRT_GPU_F16, MKRT_GPU_BF16, MKRT_GPU_F32, 1, 3,
                        5, 4, a.address(), 0, 4, 1, b.address(), 0, 5, 1,
                        c.address(), 0, 5, 1);
  EXPECT_EQ(multikernel::runtime::gpu::errorCount(), errors + 1);
  EXPECT_NE(std::string(mkrtGpuGetLastError())
                .find("cuBLASLt does not compute f16 x bf16 -> f32"),
            std::string::npos)
      << mkrtGpuGetLastError();
  // Neither dimension of A contiguous.
  mkrtGpuCublasLtMatmul(0, 1, MKRT_GPU_F32, MKRT_GPU_F32, MKRT_GPU_F32, 1, 3, 5,
                        4, a.address(), 0, 8, 2, b.address(), 0, 5, 1,
                        c.address(), 0, 5, 1);
  EXPECT_EQ(multikernel::runtime::gpu::errorCount(), errors + 2);
  EXPECT_NE(std::string(mkrtGpuGetLastError()).find("a contiguous dimension"),
            std::string::npos);
  // A problem the library's heuristic refuses (the fake computes f32, f64).
  mkrtGpuCublasLtMatmul(0, 1, MKRT_GPU_BF16, MKRT_GPU_BF16, MKRT_GPU_F32, 1, 3,
                        5, 4, a.address(), 0, 4, 1, b.address(), 0, 5, 1,
                        c.address(), 0, 5, 1);
  EXPECT_EQ(multikernel::runtime::gpu::errorCount(), errors + 3);
  EXPECT_NE(std::string(mkrtGpuGetLastError())
                .find("cublasLtMatmulAlgoGetHeuristic failed: "
                      "CUBLAS_STATUS_NOT_SUPPORTED"),
            std::string::npos)
      << mkrtGpuGetLastError();
  // Nothing to compute: no call, no failure.
  int matmuls = counters().matmuls;
  mkrtGpuCublasLtMatmul(0, 1, MKRT_GPU_F32, MKRT_GPU_F32, MKRT_GPU_F32, 1, 3, 5,
                        0, a.address(), 0, 4, 1, b.address(), 0, 5, 1,
                        c.address(), 0, 5, 1);
  EXPECT_EQ(multikernel::runtime::gpu::errorCount(), errors + 3);
  EXPECT_EQ(counters().matmuls, matmuls);
}

} // namespace

int main(int argc, char **argv) {
  // Before the runtime's first GPU call loads the libraries.
  setenv("MULTIKERNEL_CUDA_LIBRARY", MULTIKERNEL_FAKE_CUDA_LIBRARY, 1);
  setenv("MULTIKERNEL_CUBLASLT_LIBRARY", MULTIKERNEL_FAKE_CUBLASLT_LIBRARY, 1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
