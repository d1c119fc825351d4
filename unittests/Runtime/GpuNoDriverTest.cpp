//===- GpuNoDriverTest.cpp - the GPU half without a CUDA driver -----------===//
//
// Part of the multikernel project.
//
//===----------------------------------------------------------------------===//

#include "TestSupport.h"

#include "multikernel/Runtime/MultiKernelGpu.h"

#include <gtest/gtest.h>

using namespace multikernel::testing;

namespace {

constexpr const char *kMissing = "/nonexistent/libcuda.so.1";

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

} // namespace

int main(int argc, char **argv) {
  setenv("MULTIKERNEL_CUDA_LIBRARY", kMissing, 1);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
