//===- GpuNoDriverTest.cpp - the GPU half without a CUDA driver -----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "multikernel/Runtime/MultiKernelGpu.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>

using namespace multikernel::testing;

namespace {

constexpr const char *kMissing = "/nonexistent/libcuda.so.1";
constexpr const char *kMissingLt = "/nonexistent/libcublasLt.so.13";

/// Makes the last error another call's, so that a test sees its own.
void setLastErrorToSomethingElse() { mgpuStreamCreate(); }

TEST(GpuNoDriverTest, EntryPointsFailWithAClearMessage) {
  EXPECT_EQ(mkrtGpuIsAvailable(), 0);
  std::string why = mkrtGpuGetLastError();
  EXPECT_NE(why.find("the CUDA driver (/nonexistent/libcuda.so.1) cannot be "
                     "loaded"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("install the NVIDIA driver"), std::string::npos) << why;

  char image[16] = {};
  EXPECT_EQ(mgpuModuleLoad(image, sizeof(image)), nullptr);
  EXPECT_EQ(std::string(mkrtGpuGetLastError()).rfind("mgpuModuleLoad: ", 0), 0u)
      << mkrtGpuGetLastError();
  EXPECT_EQ(mgpuStreamCreate(), nullptr);
  EXPECT_EQ(std::string(mkrtGpuGetLastError()).rfind("mgpuStreamCreate: ", 0),
            0u);
  EXPECT_EQ(mgpuMemAlloc(64, nullptr, false), nullptr);
  EXPECT_STREQ(mkrtGetDeviceName(MKRT_TARGET_CUDA), "cuda:unavailable");
}

void launchSomething(void **) {
  void *stream = mgpuStreamCreate();
  mgpuLaunchKernel(nullptr, 1, 1, 1, 1, 1, 1, 0, stream, nullptr, nullptr, 0);
}

TEST(GpuNoDriverTest, DispatchOfAGpuSiteFailsCleanly) {
  FakeSite site("gpu-no-driver", {{8}, {64}}, 3, MKRT_TARGET_CUDA);
  std::vector<MkrtVariantFn> variants = {launchSomething, launchSomething};
  site.desc.variants = variants.data();
  std::vector<float> out(2);
  Scenario scenario;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(dispatch1d(site, scenario, 5, out), MKRT_ERROR_ALL_VARIANTS_FAILED);
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("no variant can run for key (5)"), std::string::npos)
      << err;
  EXPECT_EQ(site.stats().excludedVariants, 0b11u);
}

/// What a compiled GPU library does from its static destructor when the
/// process exits: unload its module (null: the load failed) and, for a
/// module that did load, reach the driver. By then this thread's
/// thread_local objects are destroyed, so the runtime must not keep its error
/// state in them (a sanitizer build reports the use after destruction).
void unloadAtExit() {
  char image[16] = {};
  mgpuModuleUnload(nullptr);
  mgpuModuleUnload(image);
  void *module = mgpuModuleLoad(image, sizeof(image));
  std::string why = mkrtGpuGetLastError();
  if (module || why.rfind("mgpuModuleLoad: ", 0) != 0) {
    std::fprintf(stderr, "unexpected last error at exit: '%s'\n", why.c_str());
    std::_Exit(1);
  }
}

} // namespace

TEST(GpuNoDriverTest, MissingCublasLtIsAFailureOfItsVariants) {
  EXPECT_EQ(mkrtGpuCublasLtIsAvailable(), 0);
  std::string why = mkrtGpuGetLastError();
  EXPECT_NE(why.find("cuBLASLt cannot be loaded (" + std::string(kMissingLt)),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("set MULTIKERNEL_CUBLASLT_LIBRARY"), std::string::npos)
      << why;
  // A variant's call fails, recorded as a failed launch is.
  float a[4] = {}, b[4] = {}, c[4] = {};
  setLastErrorToSomethingElse();
  mkrtGpuCublasLtMatmul(0, 1, MKRT_GPU_F32, MKRT_GPU_F32, MKRT_GPU_F32, 1, 2, 2,
                        2, reinterpret_cast<uintptr_t>(a), 0, 2, 1,
                        reinterpret_cast<uintptr_t>(b), 0, 2, 1,
                        reinterpret_cast<uintptr_t>(c), 0, 2, 1);
  EXPECT_EQ(std::string(mkrtGpuGetLastError())
                .rfind("mkrtGpuCublasLtMatmul: cuBLASLt cannot be loaded", 0),
            0u)
      << mkrtGpuGetLastError();
}

int main(int argc, char **argv) {
  setenv("MULTIKERNEL_CUDA_LIBRARY", kMissing, 1);
  setenv("MULTIKERNEL_CUBLASLT_LIBRARY", kMissingLt, 1);
  ::testing::InitGoogleTest(&argc, argv);
  std::atexit(unloadAtExit);
  return RUN_ALL_TESTS();
}
