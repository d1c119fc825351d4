/*===- multikernel-c/Passes.h - multikernel passes for the C API -*- C -*-===*\
|*                                                                            *|
|* Part of the multikernel project.                                           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef MULTIKERNEL_C_PASSES_H
#define MULTIKERNEL_C_PASSES_H

#include "mlir-c/Support.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Registers this project's passes and pipelines (multikernel-specialize,
/// multikernel-outline-variants, convert-multikernel-to-llvm, ...,
/// multikernel-cpu-pipeline) in the global pass registry, so that
/// mlirParsePassPipeline finds them. Idempotent.
MLIR_CAPI_EXPORTED void mlirMultiKernelRegisterPasses(void);

#ifdef __cplusplus
}
#endif

#endif /* MULTIKERNEL_C_PASSES_H */
