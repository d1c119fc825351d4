"""Parse, verify, print and transform MLIR modules through the project's C API.

Binds libMultiKernelCAPI.so (MLIR's core C API with the multikernel dialect
and passes) with ctypes: nothing to compile per Python version. MLIR
diagnostics become `MLIRError` exceptions carrying the message and location.

    module = multikernel.ir.parse(text)
    module.run_pipeline("builtin.module(multikernel-specialize{hints=8x8})")
    print(module)
"""

import ctypes
import threading

from . import _locate
from .errors import MLIRError

# --- C types ---------------------------------------------------------------


def _handle(name):
    return type(name, (ctypes.Structure,), {"_fields_": [("ptr", ctypes.c_void_p)]})


Context = _handle("MlirContext")
DialectRegistry = _handle("MlirDialectRegistry")
DialectHandle = _handle("MlirDialectHandle")
Module_ = _handle("MlirModule")
Operation = _handle("MlirOperation")
Block = _handle("MlirBlock")
Type = _handle("MlirType")
Attribute = _handle("MlirAttribute")
Location = _handle("MlirLocation")
Identifier = _handle("MlirIdentifier")
Diagnostic = _handle("MlirDiagnostic")
PassManager = _handle("MlirPassManager")
OpPassManager = _handle("MlirOpPassManager")


class StringRef(ctypes.Structure):
    _fields_ = [("data", ctypes.c_char_p), ("length", ctypes.c_size_t)]

    @classmethod
    def of(cls, text):
        data = text.encode()
        ref = cls(data, len(data))
        ref._keep = data  # keep the bytes alive as long as the ref
        return ref

    def str(self):
        return ctypes.string_at(self.data, self.length).decode()


class LogicalResult(ctypes.Structure):
    _fields_ = [("value", ctypes.c_int8)]


StringCallback = ctypes.CFUNCTYPE(None, StringRef, ctypes.c_void_p)
# MlirLogicalResult is a struct of one int8, which the x86-64 and AArch64 C
# ABIs return like an int8; ctypes callbacks cannot return structures.
DiagnosticHandler = ctypes.CFUNCTYPE(ctypes.c_int8, Diagnostic, ctypes.c_void_p)
DeleteUserData = ctypes.CFUNCTYPE(None, ctypes.c_void_p)

_SEVERITIES = {0: "error", 1: "warning", 2: "note", 3: "remark"}

_lib = None
_lib_lock = threading.Lock()


def _library():
    global _lib
    with _lib_lock:
        if _lib is not None:
            return _lib
        lib = ctypes.CDLL(str(_locate.capi_library()), mode=ctypes.RTLD_GLOBAL)
        signatures = {
            "mlirContextCreate": ([], Context),
            "mlirContextDestroy": ([Context], None),
            "mlirDialectRegistryCreate": ([], DialectRegistry),
            "mlirDialectRegistryDestroy": ([DialectRegistry], None),
            "mlirRegisterAllDialects": ([DialectRegistry], None),
            "mlirContextAppendDialectRegistry": ([Context, DialectRegistry], None),
            "mlirGetDialectHandle__multikernel__": ([], DialectHandle),
            "mlirDialectHandleRegisterDialect": ([DialectHandle, Context], None),
            "mlirContextAttachDiagnosticHandler": (
                [Context, DiagnosticHandler, ctypes.c_void_p, DeleteUserData],
                ctypes.c_uint64,
            ),
            "mlirDiagnosticPrint": ([Diagnostic, StringCallback, ctypes.c_void_p], None),
            "mlirDiagnosticGetLocation": ([Diagnostic], Location),
            "mlirDiagnosticGetSeverity": ([Diagnostic], ctypes.c_int),
            "mlirLocationPrint": ([Location, StringCallback, ctypes.c_void_p], None),
            "mlirModuleCreateParse": ([Context, StringRef], Module_),
            "mlirModuleGetOperation": ([Module_], Operation),
            "mlirModuleGetBody": ([Module_], Block),
            "mlirModuleDestroy": ([Module_], None),
            "mlirOperationVerify": ([Operation], ctypes.c_bool),
            "mlirOperationPrint": ([Operation, StringCallback, ctypes.c_void_p], None),
            "mlirOperationGetName": ([Operation], Identifier),
            "mlirOperationGetNextInBlock": ([Operation], Operation),
            "mlirOperationGetAttributeByName": ([Operation, StringRef], Attribute),
            "mlirBlockGetFirstOperation": ([Block], Operation),
            "mlirIdentifierStr": ([Identifier], StringRef),
            "mlirStringAttrGetValue": ([Attribute], StringRef),
            "mlirTypeAttrGetValue": ([Attribute], Type),
            "mlirFunctionTypeGetNumInputs": ([Type], ctypes.c_ssize_t),
            "mlirFunctionTypeGetNumResults": ([Type], ctypes.c_ssize_t),
            "mlirFunctionTypeGetInput": ([Type, ctypes.c_ssize_t], Type),
            "mlirFunctionTypeGetResult": ([Type, ctypes.c_ssize_t], Type),
            "mlirTypePrint": ([Type, StringCallback, ctypes.c_void_p], None),
            "mlirPassManagerCreate": ([Context], PassManager),
            "mlirPassManagerDestroy": ([PassManager], None),
            "mlirPassManagerGetAsOpPassManager": ([PassManager], OpPassManager),
            "mlirParsePassPipeline": (
                [OpPassManager, StringRef, StringCallback, ctypes.c_void_p],
                LogicalResult,
            ),
            "mlirPassManagerRunOnOp": ([PassManager, Operation], LogicalResult),
            "mlirRegisterAllPasses": ([], None),
            "mlirMultiKernelRegisterPasses": ([], None),
        }
        for name, (args, result) in signatures.items():
            function = getattr(lib, name)
            function.argtypes = args
            function.restype = result
        lib.mlirRegisterAllPasses()
        lib.mlirMultiKernelRegisterPasses()
        _lib = lib
        return lib


def _collect(print_fn, *args):
    """Calls an MLIR print function and returns what it printed."""
    chunks = []
    callback = StringCallback(lambda ref, _: chunks.append(ref.str()))
    print_fn(*args, callback, None)
    return "".join(chunks)


class _Context:
    """An MLIRContext with every upstream dialect and multikernel loaded, and
    a diagnostic handler that records what MLIR reports."""

    def __init__(self):
        lib = _library()
        self._lib = lib
        self.handle = lib.mlirContextCreate()
        registry = lib.mlirDialectRegistryCreate()
        lib.mlirRegisterAllDialects(registry)
        lib.mlirContextAppendDialectRegistry(self.handle, registry)
        lib.mlirDialectRegistryDestroy(registry)
        lib.mlirDialectHandleRegisterDialect(
            lib.mlirGetDialectHandle__multikernel__(), self.handle
        )
        # The handler must not refer to `self`: a reference cycle would leave
        # the context to the cyclic collector, which may destroy it before a
        # module that still uses it.
        records = self.diagnostics = []
        # Modules alive in this context. The context is destroyed only after
        # the last of them, whatever order the garbage collector finalizes
        # them in (a traceback can hold both in one reference cycle).
        self.live_modules = 0
        self.destroy_pending = False

        def handler(diagnostic, _):
            severity = _SEVERITIES.get(lib.mlirDiagnosticGetSeverity(diagnostic), "?")
            location = _collect(
                lib.mlirLocationPrint, lib.mlirDiagnosticGetLocation(diagnostic)
            )
            message = _collect(lib.mlirDiagnosticPrint, diagnostic)
            records.append((severity, location, message))
            return 1  # handled

        # Kept on the object: the C side holds a pointer to it.
        self._handler = DiagnosticHandler(handler)
        self._delete = DeleteUserData(lambda _: None)
        lib.mlirContextAttachDiagnosticHandler(
            self.handle, self._handler, None, self._delete
        )

    def take_diagnostics(self):
        diagnostics = list(self.diagnostics)
        self.diagnostics.clear()
        return diagnostics

    def release(self):
        """Destroys the context once it is unreferenced and has no modules."""
        if self.destroy_pending and self.live_modules == 0 and self.handle is not None:
            self._lib.mlirContextDestroy(self.handle)
            self.handle = None

    def __del__(self):
        if getattr(self, "handle", None) is not None:
            self.destroy_pending = True
            self.release()


class FunctionSignature:
    """A func.func of a module: its name, argument and result types (as MLIR
    writes them) and whether it is public."""

    def __init__(self, name, inputs, results, public):
        self.name, self.inputs, self.results, self.public = name, inputs, results, public

    def __repr__(self):
        return (
            f"FunctionSignature({self.name!r}, inputs={self.inputs}, "
            f"results={self.results}, public={self.public})"
        )


class Module:
    """A parsed MLIR module."""

    def __init__(self, context, handle):
        self._context = context
        self._lib = context._lib
        self._handle = handle
        context.live_modules += 1

    @property
    def operation(self):
        return self._lib.mlirModuleGetOperation(self._handle)

    def verify(self):
        """Raises MLIRError unless the module verifies."""
        if not self._lib.mlirOperationVerify(self.operation):
            raise MLIRError("the module does not verify", self._context.take_diagnostics())
        self._context.take_diagnostics()

    def run_pipeline(self, pipeline):
        """Runs a textual pass pipeline, e.g.
        'builtin.module(multikernel-specialize{hints=1024x512})', in place."""
        lib = self._lib
        manager = lib.mlirPassManagerCreate(self._context.handle)
        try:
            errors = []
            callback = StringCallback(lambda ref, _: errors.append(ref.str()))
            parsed = lib.mlirParsePassPipeline(
                lib.mlirPassManagerGetAsOpPassManager(manager),
                StringRef.of(pipeline),
                callback,
                None,
            )
            if not parsed.value:
                raise MLIRError(
                    f"invalid pass pipeline '{pipeline}'",
                    [("error", "pipeline", "".join(errors).strip())],
                )
            result = lib.mlirPassManagerRunOnOp(manager, self.operation)
            if not result.value:
                raise MLIRError(
                    f"pass pipeline '{pipeline}' failed",
                    self._context.take_diagnostics(),
                )
            self._context.take_diagnostics()
        finally:
            lib.mlirPassManagerDestroy(manager)
        return self

    def functions(self):
        """The func.func operations at the top level of the module."""
        lib = self._lib
        signatures = []
        op = lib.mlirBlockGetFirstOperation(lib.mlirModuleGetBody(self._handle))
        while op.ptr:
            if lib.mlirIdentifierStr(lib.mlirOperationGetName(op)).str() == "func.func":
                name = lib.mlirStringAttrGetValue(
                    lib.mlirOperationGetAttributeByName(op, StringRef.of("sym_name"))
                ).str()
                visibility = lib.mlirOperationGetAttributeByName(
                    op, StringRef.of("sym_visibility")
                )
                public = not visibility.ptr or (
                    lib.mlirStringAttrGetValue(visibility).str() == "public"
                )
                function_type = lib.mlirTypeAttrGetValue(
                    lib.mlirOperationGetAttributeByName(op, StringRef.of("function_type"))
                )
                inputs = [
                    _collect(lib.mlirTypePrint, lib.mlirFunctionTypeGetInput(function_type, i))
                    for i in range(lib.mlirFunctionTypeGetNumInputs(function_type))
                ]
                results = [
                    _collect(lib.mlirTypePrint, lib.mlirFunctionTypeGetResult(function_type, i))
                    for i in range(lib.mlirFunctionTypeGetNumResults(function_type))
                ]
                signatures.append(FunctionSignature(name, inputs, results, public))
            op = lib.mlirOperationGetNextInBlock(op)
        return signatures

    def __str__(self):
        return _collect(self._lib.mlirOperationPrint, self.operation)

    def __del__(self):
        if getattr(self, "_handle", None) is not None:
            self._lib.mlirModuleDestroy(self._handle)
            self._handle = None
            self._context.live_modules -= 1
            self._context.release()


def parse(text):
    """Parses (and verifies) a module; raises MLIRError with MLIR's
    diagnostics when it is malformed."""
    context = _Context()
    handle = context._lib.mlirModuleCreateParse(context.handle, StringRef.of(text))
    if not handle.ptr:
        raise MLIRError("cannot parse the module", context.take_diagnostics())
    module = Module(context, handle)
    context.take_diagnostics()
    return module


def run_pipeline(text, pipeline):
    """Text in, text out: parses `text`, runs `pipeline`, prints the result."""
    return str(parse(text).run_pipeline(pipeline))
