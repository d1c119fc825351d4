"""Compiling modules into shared libraries and calling their functions."""

import ctypes
import functools
import hashlib
import json
import math
import os
import re
import subprocess
import tempfile
import threading
import warnings
import weakref
from pathlib import Path

import numpy as np

from . import _locate, ir, runtime
from .errors import CompileError, CompileWarning


class _Element:
    """An MLIR element type as Python calls see it: its numpy dtype, torch
    dtype and, for scalars, its ctypes type."""

    def __init__(self, name, itemsize, scalar=None):
        self.name = name  # the numpy and torch name: float32, bfloat16, ...
        self.itemsize = itemsize
        self.scalar = scalar
        # bf16 has no __cuda_array_interface__ type: its results are made
        # as int16 tensors and viewed as bfloat16.
        self.interface_typestr = "<i2" if name == "bfloat16" else None

    @functools.cached_property
    def dtype(self):
        """The numpy dtype; bf16 is ml_dtypes' (JAX's) bfloat16."""
        if self.name != "bfloat16":
            return np.dtype(self.name)
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError("bf16 arrays on the CPU need the ml_dtypes package "
                            "(pip install ml-dtypes), which gives numpy its "
                            "bfloat16") from None
        return np.dtype(ml_dtypes.bfloat16)


_ELEMENTS = {
    "f64": _Element("float64", 8, ctypes.c_double),
    "f32": _Element("float32", 4, ctypes.c_float),
    "f16": _Element("float16", 2),
    "bf16": _Element("bfloat16", 2),
    "i64": _Element("int64", 8, ctypes.c_int64),
    "i32": _Element("int32", 4, ctypes.c_int32),
    "i16": _Element("int16", 2, ctypes.c_int16),
    "i8": _Element("int8", 1, ctypes.c_int8),
    "index": _Element("int64", 8, ctypes.c_int64),
}
_SHAPED = re.compile(r"^(tensor|memref)<((?:[0-9?]+x)*)([a-z0-9]+)>$")

_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]


@functools.lru_cache(maxsize=None)
def _torch():
    import torch

    return torch


@functools.lru_cache(maxsize=None)
def _dtype_name(dtype):
    """The name of a numpy or torch dtype: float32, bfloat16, ..."""
    return str(dtype).replace("torch.", "")


def _is_torch_tensor(value):
    return type(value).__module__.startswith("torch") and hasattr(value, "data_ptr")


def _is_cuda_tensor(value):
    device = getattr(value, "device", None)
    return device is not None and getattr(device, "type", None) == "cuda"


@functools.lru_cache(maxsize=None)
def _descriptor_type(rank):
    """The strided memref descriptor of `rank` (MLIR's C interface)."""
    fields = [
        ("allocated", ctypes.c_void_p),
        ("aligned", ctypes.c_void_p),
        ("offset", ctypes.c_int64),
    ]
    if rank:
        fields += [("sizes", ctypes.c_int64 * rank), ("strides", ctypes.c_int64 * rank)]
    return type(f"MemRef{rank}D", (ctypes.Structure,), {"_fields_": fields})


class _ArgType:
    """A function argument or result type: a ranked tensor or memref of a
    supported element type, or a scalar."""

    def __init__(self, text, function, position):
        self.text = text
        match = _SHAPED.match(text)
        if match:
            self.kind = match.group(1)
            dims = [d for d in match.group(2).split("x") if d]
            self.shape = [None if d == "?" else int(d) for d in dims]
            element = match.group(3)
        else:
            self.kind, self.shape, element = "scalar", [], text
        known = _ELEMENTS.get(element)
        if known is None or (self.kind == "scalar" and known.scalar is None):
            raise TypeError(
                f"{function}: {position} has type {text}, which Python calls do not "
                "support (ranked tensors/memrefs of bf16/f16/f32/f64/i8-i64/index, "
                "scalars of f32/f64/i8-i64/index)"
            )
        self.element = known
        self.rank = len(self.shape)

    @property
    def dtype(self):
        return self.element.dtype


def _current_raw_stream_function():
    """A function device -> torch's current CUstream there, the cheapest
    torch offers (what Inductor's generated code calls)."""
    torch = _torch()
    raw = getattr(torch._C, "_cuda_getCurrentRawStream", None)
    return raw or (lambda device: torch.cuda.current_stream(device).cuda_stream)


class _CudaCallState:
    """Per thread and function: a memref descriptor per argument (reused
    while its tensor stays the same) and what the checks compare against."""

    def __init__(self, inputs):
        torch = _torch()
        self.descriptors = [None if a.kind == "scalar" else _descriptor_type(a.rank)()
                            for a in inputs]
        self.converted = [None if d is None else ctypes.byref(d) for d in self.descriptors]
        self.keys = [None] * len(inputs)
        self.scalars = [a.element.scalar if a.kind == "scalar" else None for a in inputs]
        self.checks = [None if a.kind == "scalar" else (
            getattr(torch, a.element.name, None), a.rank,
            [(d, size) for d, size in enumerate(a.shape) if size is not None])
            for a in inputs]
        # The device of each tensor argument (read when its tensor changes)
        # and the one the call runs on: that of its tensors, else torch's
        # current device.
        self.devices = [None] * len(inputs)
        self.device = None
        self.current_stream = _current_raw_stream_function()
        self.current_device = getattr(torch._C, "_cuda_getDevice", torch.cuda.current_device)


class _CpuCallState:
    """Per thread and function: the last descriptor of each array argument
    and a weak reference to the array it describes. A numpy array keeps its
    buffer for life (resize refuses while it is referenced), so the same
    array with the same shape and dtype gives the same descriptor; asking
    numpy for the data pointer is most of a call's cost."""

    def __init__(self, count):
        self.descriptors = [None] * count
        self.arrays = [None] * count
        self.shapes = [None] * count
        self.dtypes = [None] * count


class _DeviceBuffer:
    """A result of a CUDA function: device memory the compiled code
    allocated from the runtime's pool on the stream of the call. The torch
    tensor made from it owns it: torch keeps the object that exports a
    __cuda_array_interface__ alive as long as the tensor or any view of it,
    and when the last goes the buffer returns to the runtime's pool of that
    stream (mgpuMemFree), as torch's allocator returns a block to the
    stream it was allocated on: work on other streams that uses the tensor
    must be ordered before its release (torch's record_stream rule)."""

    def __init__(self, descriptor, result, stream):
        self._allocated = descriptor.allocated
        self._stream = stream
        element = result.element
        self._element = element
        shape = tuple(descriptor.sizes[d] for d in range(result.rank))
        strides = tuple(descriptor.strides[d] * element.itemsize
                        for d in range(result.rank))
        pointer = (descriptor.aligned or 0) + descriptor.offset * element.itemsize
        self.__cuda_array_interface__ = {
            "shape": shape, "strides": strides,
            "typestr": element.interface_typestr or np.dtype(element.name).str,
            "data": (pointer, False), "version": 3,
        }

    def tensor(self, device):
        torch = _torch()
        tensor = torch.as_tensor(self, device=f"cuda:{device}")
        if self._element.interface_typestr:
            # A view keeps the int16 tensor, and so this owner, alive.
            tensor = tensor.view(getattr(torch, self._element.name))
        return tensor

    def __del__(self):
        if self._allocated:
            runtime.free_device_buffer(self._allocated, self._stream)


class Function:
    """A public function of a compiled module, called with numpy arrays
    (or anything numpy can view without a copy) or CPU torch tensors; a
    result is a numpy array, or a torch tensor where an argument was one.

    Tensor arguments are read; memref arguments are written in place. The
    arrays must be C-contiguous (the functions take identity layouts) with
    the function's element type and rank."""

    def __init__(self, library, signature, target="cpu"):
        self.name = signature.name
        self.target = target
        self._inputs = [
            _ArgType(t, self.name, f"argument #{i}") for i, t in enumerate(signature.inputs)
        ]
        self._results = [
            _ArgType(t, self.name, f"result #{i}") for i, t in enumerate(signature.results)
        ]
        if len(self._results) > 1:
            raise TypeError(f"{self.name}: functions with several results are not "
                            "callable from Python yet")
        if self._results and self._results[0].kind == "scalar":
            raise TypeError(f"{self.name}: scalar results are not callable from "
                            "Python yet")
        self._entry = getattr(library, "_mlir_ciface_" + self.name)
        self._entry.restype = None
        # The CUDA fast path's per-thread state: one descriptor per argument,
        # refilled only when its tensor changes (see _call_cuda).
        self._local = threading.local()

    def _descriptor(self, value, arg, position):
        if arg.kind == "scalar":
            return arg.element.scalar(value)
        if _is_cuda_tensor(value):
            raise TypeError(f"{self.name}: argument #{position} is on {value.device}; "
                            "this module was compiled for the CPU (target='cuda' "
                            "takes CUDA tensors)")
        if _is_torch_tensor(value):
            # Directly, not through numpy, which has no bfloat16 of torch's.
            self._check(_dtype_name(value.dtype), value.dim(), tuple(value.shape),
                        value.is_contiguous(), arg, position)
            return self._make_descriptor(value.data_ptr(), tuple(value.shape),
                                         list(value.stride()), arg, value)
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
        self._check(array.dtype.name, array.ndim, array.shape, array.flags.c_contiguous,
                    arg, position)
        if arg.kind == "memref" and not array.flags.writeable:
            raise ValueError(f"{self.name}: argument #{position} is written in place "
                             "but the array is read-only")
        return self._make_descriptor(array.ctypes.data, array.shape,
                                     [s // array.itemsize for s in array.strides],
                                     arg, array)

    def _cpu_arguments(self, args):
        """The arguments of a CPU call: each array's descriptor from the
        previous call when it is the same array with the same shape and
        dtype (and, if written, still writeable), else checked and built
        anew (see _CpuCallState); and whether one of them is a torch
        tensor (never one with a cached descriptor: those are arrays)."""
        state = getattr(self._local, "cpu", None)
        if state is None:
            state = self._local.cpu = _CpuCallState(len(self._inputs))
        converted, torch_seen = [], False
        for i, (value, arg) in enumerate(zip(args, self._inputs)):
            cached = state.descriptors[i]
            if (cached is not None and state.arrays[i]() is value
                    and value.shape == state.shapes[i] and value.dtype is state.dtypes[i]
                    and (arg.kind != "memref" or value.flags.writeable)):
                converted.append(cached)
                continue
            argument = self._descriptor(value, arg, i)
            converted.append(argument)
            if isinstance(value, np.ndarray):
                # The caller holds the array during the call; afterwards
                # only the weak reference decides whether the cached
                # pointer is still its buffer, so nothing is kept alive.
                argument._obj._keep = None
                state.descriptors[i] = argument
                state.arrays[i] = weakref.ref(value)
                state.shapes[i], state.dtypes[i] = value.shape, value.dtype
            else:  # scalars, tensors, and views numpy makes anew on each call
                state.descriptors[i] = None
                torch_seen = torch_seen or _is_torch_tensor(value)
        return converted, torch_seen

    def _cuda_descriptor(self, value, arg, position):
        if not _is_cuda_tensor(value):
            raise TypeError(f"{self.name}: argument #{position} must be a CUDA tensor "
                            "(torch.Tensor on a cuda device): this module was "
                            "compiled with target='cuda'")
        self._check(_dtype_name(value.dtype), value.dim(), tuple(value.shape), value.is_contiguous(),
                    arg, position)
        return self._make_descriptor(value.data_ptr(), tuple(value.shape),
                                     list(value.stride()), arg, value)

    def _check(self, dtype_name, ndim, shape, contiguous, arg, position):
        if dtype_name != arg.element.name:
            raise TypeError(f"{self.name}: argument #{position} has dtype {dtype_name}, "
                            f"expected {arg.element.name} ({arg.text})")
        if ndim != arg.rank:
            raise ValueError(f"{self.name}: argument #{position} has rank {ndim}, "
                             f"expected {arg.rank} ({arg.text})")
        for dim, (size, expected) in enumerate(zip(shape, arg.shape)):
            if expected is not None and size != expected:
                raise ValueError(f"{self.name}: argument #{position} has size {size} in "
                                 f"dimension {dim}, expected {expected} ({arg.text})")
        if not contiguous:
            raise ValueError(f"{self.name}: argument #{position} is not contiguous "
                             "(use numpy.ascontiguousarray or tensor.contiguous())")

    @staticmethod
    def _make_descriptor(pointer, shape, strides, arg, keep_alive):
        descriptor = _descriptor_type(arg.rank)()
        descriptor.allocated = descriptor.aligned = pointer
        descriptor.offset = 0
        for dim in range(arg.rank):
            descriptor.sizes[dim] = shape[dim]
            descriptor.strides[dim] = strides[dim]
        descriptor._keep = keep_alive
        return ctypes.byref(descriptor)

    def _call_cuda(self, args):
        """The launch-bound path of CUDA functions: checks each tensor (the
        slow path raises the precise error), reuses this thread's
        descriptor of each argument while the tensor's data pointer and
        shape stay the same (contiguous: the strides follow), and launches
        on torch's current stream of the tensors' device. A result comes
        back as a torch tensor that owns its device memory (see
        _DeviceBuffer). Every step here is on the host time of each call:
        keep it lean."""
        state = getattr(self._local, "state", None)
        if state is None:
            state = self._local.state = _CudaCallState(self._inputs)
        converted, keys = state.converted, state.keys
        moved = False
        for i, value in enumerate(args):
            check = state.checks[i]
            if check is None:  # a scalar
                converted[i] = state.scalars[i](value)
                continue
            dtype, rank, static = check
            try:
                shape = value.shape
                fits = (value.is_cuda and value.dtype is dtype and len(shape) == rank
                        and value.is_contiguous()
                        and (not static or all(shape[d] == n for d, n in static)))
            except AttributeError:
                fits = False
            if not fits:
                arg = self._inputs[i]
                self._cuda_descriptor(value, arg, i)  # raises the precise error
                raise TypeError(f"{self.name}: argument #{i} cannot be passed ({arg.text})")
            pointer = value.data_ptr()
            if keys[i] != (pointer, shape):
                descriptor = state.descriptors[i]
                descriptor.allocated = descriptor.aligned = pointer
                for dim, (size, stride) in enumerate(zip(shape, value.stride())):
                    descriptor.sizes[dim] = size
                    descriptor.strides[dim] = stride
                keys[i] = (pointer, shape)
                state.devices[i] = value.get_device()
                moved = True
        if moved:
            try:
                state.device = self._device_of(state.devices)
            except ValueError:
                keys[:] = [None] * len(keys)  # checked again next call
                raise
        # The call runs on its tensors' device: that device's context is
        # current during the call (the runtime loads and launches the
        # kernels of the current context), on torch's current stream there.
        device = state.current_device() if state.device is None else state.device
        if device != state.current_device():
            with _torch().cuda.device(device):
                return self._launch_cuda(converted, device, state)
        return self._launch_cuda(converted, device, state)

    def _device_of(self, devices):
        """The one device of the tensor arguments (None without any); a
        ValueError naming them if they are on several."""
        used = {d for d in devices if d is not None}
        if len(used) > 1:
            where = ", ".join(f"#{i} on cuda:{d}" for i, d in enumerate(devices)
                              if d is not None)
            raise ValueError(f"{self.name}: the tensor arguments are on different "
                             f"devices ({where}); move them to one")
        return used.pop() if used else None

    def _launch_cuda(self, converted, device, state):
        # Launch on torch's current stream, asynchronously, as torch does
        # (set_stream calls into the runtime only when it changes).
        stream = state.current_stream(device)
        runtime.set_stream(stream)
        if not self._results:
            self._entry(*converted)
            return None
        out = _descriptor_type(self._results[0].rank)()
        self._entry(ctypes.byref(out), *converted)
        return _DeviceBuffer(out, self._results[0], stream).tensor(device)

    def __call__(self, *args):
        if len(args) != len(self._inputs):
            raise TypeError(f"{self.name} takes {len(self._inputs)} arguments, "
                            f"got {len(args)}")
        if self.target == "cuda":
            return self._call_cuda(args)
        converted, as_torch = self._cpu_arguments(args)
        if not self._results:
            self._entry(*converted)
            return None
        result = self._results[0]
        # Called with torch tensors, it returns one (sharing the buffer);
        # a bf16 one is made from int16, which needs no numpy bfloat16.
        element = result.element
        dtype = (np.dtype(np.int16) if as_torch and element.interface_typestr
                 else result.dtype)  # raises before the call if numpy lacks it
        out = _descriptor_type(result.rank)()
        self._entry(ctypes.byref(out), *converted)
        shape = tuple(out.sizes[d] for d in range(result.rank))
        count = math.prod(shape)
        if not count:
            _libc.free(out.allocated)
            array = np.empty(shape, dtype=dtype)
        else:
            # The array takes over the buffer the kernel allocated (no copy:
            # for large results a copy cost as much as the kernel): the
            # ctypes view is the array's base, kept alive by the array and
            # every view of it, and frees the buffer when the last goes.
            buffer = (ctypes.c_char * (count * element.itemsize)).from_address(
                out.aligned + out.offset * element.itemsize)
            weakref.finalize(buffer, _libc.free, ctypes.c_void_p(out.allocated))
            array = np.frombuffer(buffer, dtype=dtype, count=count).reshape(shape)
        if not as_torch:
            return array
        torch = _torch()
        tensor = torch.from_numpy(array)
        if element.interface_typestr:
            tensor = tensor.view(getattr(torch, element.name))
        return tensor

    def __repr__(self):
        inputs = ", ".join(a.text for a in self._inputs)
        results = ", ".join(r.text for r in self._results)
        return f"<multikernel function {self.name}({inputs}) -> ({results})>"


def _recorded_signatures(library, path):
    """The target and the public functions' signatures a library records
    in its `__mkrt_signatures` string (a JSON object, version 1)."""
    try:
        first = ctypes.c_char.in_dll(library, "__mkrt_signatures")
    except ValueError:
        raise ValueError(f"{path} records no function signatures (it was not built by "
                         "this multikernel-compile): pass them to CompiledModule") from None
    text = ctypes.cast(ctypes.addressof(first), ctypes.c_char_p).value.decode()
    recorded = json.loads(text)
    if recorded.get("version") != 1:
        raise ValueError(f"{path} records signatures in version {recorded.get('version')!r}; "
                         "this package reads version 1")
    return recorded["target"], [
        ir.FunctionSignature(f["name"], f["inputs"], f["results"], True)
        for f in recorded["functions"]]


class CompiledModule:
    """A shared library built by multikernel-compile; its public functions
    are attributes."""

    def __init__(self, path, signatures=None, target=None):
        """`signatures` (ir.FunctionSignature, as ir.parse(source).functions()
        gives) and `target` ('cpu' or 'cuda') default to what the library
        records (multikernel-record-signatures): a deployed library needs no
        MLIR source."""
        runtime.library()  # the runtime the library links, shared with us
        # Absolute: Path('./lib.so') prints as 'lib.so', which dlopen would
        # look for on the library search path instead of here.
        self.path = Path(path).absolute()
        self._library = ctypes.CDLL(str(self.path))
        if signatures is None:
            recorded_target, signatures = _recorded_signatures(self._library, self.path)
            target = target or recorded_target
        self.target = target or "cpu"
        self.functions = {
            s.name: Function(self._library, s, target) for s in signatures if s.public
        }

    def __getattr__(self, name):
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"the module has no public function {name!r} "
                             f"(it has: {', '.join(sorted(functions)) or 'none'})")

    def __repr__(self):
        return f"<multikernel module {self.path.name}: {', '.join(self.functions)}>"


def load(path, target=None):
    """Opens a library built by multikernel-compile: no compiler and no MLIR
    source are needed, only the library and the runtime it links (the
    library records its functions' signatures and its target). Any path
    form works: './lib.so' is that file, not one on the library path."""
    return CompiledModule(path, target=target)


def _hints_option(hints):
    if hints is None:
        return None
    parts = []
    for hint in hints:
        if isinstance(hint, str):
            parts.append(hint)
            continue
        sizes = list(hint)
        if not sizes or not all(isinstance(s, int) and s > 0 for s in sizes):
            raise ValueError(f"invalid size hint {hint!r}: a non-empty list of "
                             "positive integers")
        parts.append("x".join(str(s) for s in sizes))
    return ",".join(parts)


def _cache_dir():
    base = os.environ.get("MULTIKERNEL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "multikernel")
    path = Path(base)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _content_hash(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cached_library(library):
    """Whether the cached `library` is the one this package wrote: its
    content hash matches the one recorded beside it when it was compiled. A
    library that does not (changed, truncated, or put there by something
    else) is compiled again rather than loaded."""
    recorded = library.with_suffix(".sha256")
    if not library.exists():
        return False
    try:
        if recorded.read_text().strip() == _content_hash(library):
            return True
    except OSError:
        pass
    warnings.warn(f"multikernel: the cached library {library} does not match "
                  "its recorded content hash; compiling it again",
                  RuntimeWarning, stacklevel=3)
    return False


def compile(source_or_path, hints=None, target="cpu", chip="sm_90",
            dispatch_table=None, cache_dir=None, cpu_parallel="auto",
            dim_hints=None, cublaslt_algorithms=3):
    """Compiles MLIR (text, or a path to a .mlir file) into a shared library
    with multikernel-compile and returns it as a CompiledModule.

    target='cuda' compiles the kernels for the GPU `chip`; its functions
    take contiguous CUDA torch tensors and launch on torch's current
    stream, asynchronously. Memref arguments are written in place; a
    function on tensors returns a new CUDA tensor that owns its device
    memory (allocated on that stream, freed back to the runtime's pool of
    that stream when the tensor goes).

    hints: size-hint candidates per op loop, e.g. [[1024, 512], [4096, 2048]]
    (each op takes those of its rank; one-size ones serve every op).
    dim_hints: candidates in each function's terms, one size per dynamic
    dimension of its arguments in order of appearance (equal ones once),
    e.g. [[64, 128], [4096, 2048]] for (batch, sequence); [[64], [4096]]
    gives every dimension each size. With neither, every dynamic loop gets
    64, 256 and 4096. Where given hints fit no op, the compiler's warning
    is raised as a Python warning (multikernel.CompileWarning).
    dispatch_table: a saved table to embed (see tune()).
    cpu_parallel: 'auto' (matmul variants whose hint has enough work on
    OpenMP threads; the other variants choose per call, threads where the
    call has enough work), 'openmp' (every CPU variant whose hint has
    enough work on OpenMP threads) or 'none' (one thread). OMP_NUM_THREADS sets
    how many threads; they need LLVM's libomp (without it, 'auto' warns and
    uses one thread).
    cublaslt_algorithms: target='cuda': cuBLASLt variants per matmul site
    besides the generated ones (0 to 8, default 3; 0: generated kernels
    only; see docs/GPU.md), loaded at run time.
    The library is cached on disk by a hash of the source and options (in
    MULTIKERNEL_CACHE_DIR, else ~/.cache/multikernel, created private): a
    second compile of the same source with the same options is instant. A
    cached library is loaded only if its content matches the hash recorded
    when it was compiled; otherwise it is compiled again, with a warning."""
    if target not in ("cpu", "cuda"):
        raise ValueError(f"unknown target {target!r} (expected 'cpu' or 'cuda')")
    if cpu_parallel not in ("auto", "openmp", "none"):
        raise ValueError(f"unknown cpu_parallel {cpu_parallel!r} "
                         "(expected 'auto', 'openmp' or 'none')")
    if (not isinstance(cublaslt_algorithms, int) or isinstance(cublaslt_algorithms, bool)
            or not 0 <= cublaslt_algorithms <= 8):
        raise ValueError(f"cublaslt_algorithms must be an integer in [0, 8], "
                         f"got {cublaslt_algorithms!r}")
    text, source_path = source_or_path, None
    if isinstance(source_or_path, os.PathLike) or (
            isinstance(source_or_path, str) and "\n" not in source_or_path
            and source_or_path.endswith(".mlir")):
        source_path = Path(source_or_path).absolute()
        text = source_path.read_text()
    signatures = ir.parse(text).functions()  # errors surface as MLIRError

    compiler = _locate.compiler()
    hint_text = _hints_option(hints)
    dim_hint_text = _hints_option(dim_hints)
    table_text = Path(dispatch_table).read_text() if dispatch_table else ""
    stat = compiler.stat()
    digest = hashlib.sha256("\0".join([
        text, hint_text or "", dim_hint_text or "", target, chip, table_text,
        cpu_parallel, str(cublaslt_algorithms),
        str(stat.st_mtime_ns), str(stat.st_size)]).encode()).hexdigest()[:32]
    cache = Path(cache_dir) if cache_dir else _cache_dir()
    library = cache / f"{digest}.so"
    if not _cached_library(library):
        with tempfile.TemporaryDirectory(dir=cache) as work:
            # The text that was hashed (not the file again, which may have
            # changed since), under the file's name: diagnostics name it.
            source = Path(work) / (source_path.name if source_path else "module.mlir")
            source.write_text(text)
            staged = Path(work) / "module.so"
            command = [str(compiler), str(source), "-o", str(staged),
                       f"--target={target}", f"--chip={chip}",
                       f"--cpu-parallel={cpu_parallel}",
                       f"--cublaslt-algorithms={cublaslt_algorithms}"]
            if hint_text:
                command.append(f"--hints={hint_text}")
            if dim_hint_text:
                command.append(f"--dim-hints={dim_hint_text}")
            if dispatch_table:
                command.append(f"--dispatch-table={dispatch_table}")
            done = subprocess.run(command, capture_output=True, text=True)
            if done.returncode != 0:
                raise CompileError(done.stderr.strip() or done.stdout.strip()
                                   or "multikernel-compile failed")
            if ": warning: " in done.stderr:
                warnings.warn(done.stderr.strip(), CompileWarning, stacklevel=2)
            # The hash first: a library is loaded only once its hash is there
            # (both renames are atomic; concurrent compiles write the same).
            recorded = Path(work) / "module.sha256"
            recorded.write_text(_content_hash(staged) + "\n")
            os.replace(recorded, library.with_suffix(".sha256"))
            os.replace(staged, library)
    return CompiledModule(library, signatures, target)


def tune(module, calls, path, seed=0):
    """Ahead-of-time tuning: calls functions of `module` with random inputs of
    the given shapes (so that the runtime benchmarks each shape on this
    machine) and saves the decisions to `path`, a dispatch table to embed
    with compile(..., dispatch_table=path).

    calls: {"function": [[shape of arg 0, shape of arg 1, ...], ...]}"""
    generator = np.random.default_rng(seed)
    for name, shape_lists in calls.items():
        function = getattr(module, name)
        for shapes in shape_lists:
            if len(shapes) != len(function._inputs):
                raise ValueError(f"{name} takes {len(function._inputs)} arguments, "
                                 f"got {len(shapes)} shapes")
            args = [generator.standard_normal(shape).astype(arg.dtype)
                    if arg.kind != "scalar" else 1
                    for shape, arg in zip(shapes, function._inputs)]
            function(*args)
    runtime.save_table(path)
