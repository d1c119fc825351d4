/* Registers the multikernel dialect of an installed multikernel through the
 * C API. */
#include "mlir-c/IR.h"
#include "multikernel-c/Dialects.h"

#include <stdio.h>

int main(void) {
  MlirContext ctx = mlirContextCreate();
  MlirDialectHandle handle = mlirGetDialectHandle__multikernel__();
  mlirDialectHandleRegisterDialect(handle, ctx);
  MlirDialect dialect =
      mlirContextGetOrLoadDialect(ctx, mlirDialectHandleGetNamespace(handle));
  MlirStringRef ns = mlirDialectGetNamespace(dialect);
  printf("C API loaded: %.*s\n", (int)ns.length, ns.data);
  mlirContextDestroy(ctx);
  return mlirDialectIsNull(dialect);
}
