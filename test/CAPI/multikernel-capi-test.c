/*===- multikernel-capi-test.c - C API test ---------------------*- C -*-===*\
|*                                                                            *|
|* Part of the multikernel project.                                           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

// RUN: multikernel-capi-test 2>&1 | FileCheck %s

#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir-c/RegisterEverything.h"
#include "multikernel-c/Dialects.h"

#include <stdio.h>

static const char *kModule =
    "func.func @f(%m: index, %n: index, %x: memref<?x?xf32>,\n"
    "             %y: memref<?x?xf32>) {\n"
    "  \"multikernel.dispatch\"(%m, %n, %x, %y) <{sym_name = \"k0\",\n"
    "      hints = [array<i64: 1024, 512>, array<i64: 4096, 2048>],\n"
    "      operandSegmentSizes = array<i32: 2, 2>}> ({\n"
    "  ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):\n"
    "    \"multikernel.yield\"() : () -> ()\n"
    "  }, {\n"
    "  ^bb0(%a: memref<?x?xf32>, %b: memref<?x?xf32>):\n"
    "    \"multikernel.yield\"() : () -> ()\n"
    "  }) : (index, index, memref<?x?xf32>, memref<?x?xf32>) -> ()\n"
    "  return\n"
    "}\n";

// Two variants but one hint: must be rejected by the verifier.
static const char *kBadModule =
    "func.func @g(%m: index) {\n"
    "  \"multikernel.dispatch\"(%m) <{sym_name = \"k1\",\n"
    "      hints = [array<i64: 8>], operandSegmentSizes = array<i32: 1, 0>}> "
    "({\n"
    "    \"multikernel.yield\"() : () -> ()\n"
    "  }, {\n"
    "    \"multikernel.yield\"() : () -> ()\n"
    "  }) : (index) -> ()\n"
    "  return\n"
    "}\n";

static void printToStdout(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stdout);
}

static void printDiagnostic(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stdout);
}

static MlirLogicalResult handleDiagnostic(MlirDiagnostic diagnostic,
                                          void *userData) {
  printf("diagnostic: ");
  mlirDiagnosticPrint(diagnostic, printDiagnostic, userData);
  printf("\n");
  return mlirLogicalResultSuccess();
}

int main(void) {
  MlirContext ctx = mlirContextCreate();
  mlirContextAttachDiagnosticHandler(ctx, handleDiagnostic, NULL, NULL);

  // Upstream dialects (func, memref) through the registry...
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  mlirRegisterAllDialects(registry);
  mlirContextAppendDialectRegistry(ctx, registry);
  mlirDialectRegistryDestroy(registry);

  // ...and ours through its handle, as an embedder does.
  MlirDialectHandle handle = mlirGetDialectHandle__multikernel__();
  mlirDialectHandleRegisterDialect(handle, ctx);
  MlirDialect dialect =
      mlirContextGetOrLoadDialect(ctx, mlirDialectHandleGetNamespace(handle));
  if (mlirDialectIsNull(dialect)) {
    printf("FAIL: multikernel dialect not loaded\n");
    return 1;
  }
  MlirStringRef ns = mlirDialectGetNamespace(dialect);
  // CHECK: loaded dialect: multikernel
  printf("loaded dialect: %.*s\n", (int)ns.length, ns.data);

  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kModule));
  if (mlirModuleIsNull(module)) {
    printf("FAIL: module did not parse\n");
    return 1;
  }
  MlirOperation op = mlirModuleGetOperation(module);
  // CHECK: verifies: yes
  printf("verifies: %s\n", mlirOperationVerify(op) ? "yes" : "no");
  // CHECK: multikernel.dispatch @k0 key(%{{.*}}, %{{.*}}) hints {{\[\[}}1024,
  // 512], [4096, 2048]] args(
  mlirOperationPrint(op, printToStdout, NULL);
  printf("\n");
  mlirModuleDestroy(module);

  // CHECK: diagnostic: 'multikernel.dispatch' op requires one hint per variant
  // region, but has 2 regions and 1 hints CHECK: bad module: rejected
  MlirModule bad =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(kBadModule));
  printf("bad module: %s\n", mlirModuleIsNull(bad) ? "rejected" : "accepted");
  if (!mlirModuleIsNull(bad))
    mlirModuleDestroy(bad);

  mlirContextDestroy(ctx);
  return 0;
}
