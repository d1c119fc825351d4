/*===- multikernel-c/Dialects.h - multikernel dialect C API ------*- C -*-===*\
|*                                                                            *|
|* Part of the multikernel project.                                           *|
|*                                                                            *|
|* Registration of the multikernel dialect for embedders that drive MLIR      *|
|* through its C API (and for the Python bindings).                           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef MULTIKERNEL_C_DIALECTS_H
#define MULTIKERNEL_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Declares `mlirGetDialectHandle__multikernel__()`; pass the handle to
/// `mlirDialectHandleRegisterDialect` or `mlirDialectHandleInsertDialect`.
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(MultiKernel, multikernel);

#ifdef __cplusplus
}
#endif

#endif /* MULTIKERNEL_C_DIALECTS_H */
