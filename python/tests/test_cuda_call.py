"""The call path of CUDA functions (Function._call_cuda), without a GPU:
tensors are stand-ins with torch's attributes, torch is a stand-in module,
and the compiled entry point is a Python function that records the memref
descriptors it receives. What runs on a real GPU is checked on the device
(bench/gpu/python_cuda_check.py, test/Integration/GPU)."""

import contextlib
import ctypes
import sys
import types

import pytest

from multikernel import runtime
from multikernel.compiler import Function
from multikernel.ir import FunctionSignature


class FakeDtype:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


FLOAT32, FLOAT64 = FakeDtype("float32"), FakeDtype("float64")
BFLOAT16, INT16 = FakeDtype("bfloat16"), FakeDtype("int16")


class FakeCudaTensor:
    """What _call_cuda reads of a torch.Tensor on a GPU."""

    def __init__(self, shape, pointer, dtype=FLOAT32, contiguous=True, cuda=True, device=0):
        self.shape = tuple(shape)
        self._device = device
        self.dtype = dtype
        self.is_cuda = cuda
        self._pointer = pointer
        self._contiguous = contiguous
        self.device = types.SimpleNamespace(type="cuda" if cuda else "cpu")

    def data_ptr(self):
        return self._pointer

    def stride(self):
        strides, step = [], 1
        for size in reversed(self.shape):
            strides.insert(0, step)
            step *= size
        return tuple(strides)

    def is_contiguous(self):
        return self._contiguous

    def dim(self):
        return len(self.shape)

    def get_device(self):
        return self._device


@pytest.fixture
def fake_torch(monkeypatch):
    streams, stream_devices, current = [], [], [0]
    torch = types.ModuleType("torch")
    torch.float32, torch.float64 = FLOAT32, FLOAT64
    torch.bfloat16, torch.int16 = BFLOAT16, INT16

    def raw_stream(device):
        stream_devices.append(device)
        return streams[-1] if streams else 0

    torch._C = types.SimpleNamespace(_cuda_getCurrentRawStream=raw_stream,
                                     _cuda_getDevice=lambda: current[0])

    @contextlib.contextmanager
    def device(index):
        previous, current[0] = current[0], index
        try:
            yield
        finally:
            current[0] = previous

    torch.cuda = types.SimpleNamespace(device=device, current_device=lambda: current[0])
    monkeypatch.setitem(sys.modules, "torch", torch)
    from multikernel import compiler
    compiler._torch.cache_clear()
    set_streams = []
    monkeypatch.setattr(runtime, "set_stream", set_streams.append)
    yield types.SimpleNamespace(streams=streams, set_streams=set_streams,
                                stream_devices=stream_devices, current=current)
    compiler._torch.cache_clear()


class RecordingLibrary:
    """A compiled library whose entry point records the descriptors."""

    def __init__(self):
        self.calls = []

        def entry(*refs):
            self.calls.append([
                (ref._obj.aligned, tuple(ref._obj.sizes), tuple(ref._obj.strides),
                 ctypes.addressof(ref._obj)) for ref in refs])
        self._mlir_ciface_seed = entry


@pytest.fixture
def seed():
    library = RecordingLibrary()
    signature = FunctionSignature("seed", ["memref<?x?xf32>"] * 3, [], True)
    return Function(library, signature, target="cuda"), library


def test_descriptors_follow_the_tensors(fake_torch, seed):
    function, library = seed
    x = FakeCudaTensor((4, 8), 0x1000)
    y = FakeCudaTensor((4, 8), 0x2000)
    out = FakeCudaTensor((4, 8), 0x3000)
    function(x, y, out)
    [x_desc, y_desc, out_desc] = library.calls[-1]
    assert x_desc[:3] == (0x1000, (4, 8), (8, 1))
    assert y_desc[0] == 0x2000 and out_desc[0] == 0x3000
    # The same tensors again: the same descriptors, unchanged.
    function(x, y, out)
    assert library.calls[-1] == library.calls[-2]
    # A new tensor of another shape in one position: that descriptor is
    # refilled (same storage), the others stay.
    function(FakeCudaTensor((5, 3), 0x4000), y, out)
    changed = library.calls[-1]
    assert changed[0][:3] == (0x4000, (5, 3), (3, 1))
    assert changed[0][3] == x_desc[3]
    assert changed[1:] == library.calls[-2][1:]
    # Back to the first shape at a new address.
    function(FakeCudaTensor((4, 8), 0x5000), y, out)
    assert library.calls[-1][0][:3] == (0x5000, (4, 8), (8, 1))


def test_launches_on_torchs_current_stream(fake_torch, seed):
    function, library = seed
    x = FakeCudaTensor((2, 2), 0x1000)
    fake_torch.streams.append(0xabc)
    function(x, x, x)
    fake_torch.streams.append(0xdef)
    function(x, x, x)
    assert fake_torch.set_streams == [0xabc, 0xdef]
    assert len(library.calls) == 2


def test_the_call_runs_on_its_tensors_device(fake_torch):
    # Tensors on cuda:1 while cuda:0 is current: the call runs with cuda:1
    # current (the runtime launches in the current context), on cuda:1's
    # current stream, and cuda:0 is current again afterwards.
    library = RecordingLibrary()
    seen = []
    record = library._mlir_ciface_seed
    library._mlir_ciface_seed = lambda *refs: (seen.append(fake_torch.current[0]),
                                              record(*refs))
    function = Function(library, FunctionSignature("seed", ["memref<?x?xf32>"] * 3, [], True),
                        target="cuda")
    on1 = [FakeCudaTensor((2, 2), 0x1000 * (i + 1), device=1) for i in range(3)]
    function(*on1)
    assert seen == [1] and fake_torch.stream_devices[-1] == 1
    assert fake_torch.current[0] == 0
    # The same tensors again (descriptors reused): still on cuda:1.
    function(*on1)
    assert seen == [1, 1]
    # Tensors on the current device: no switch.
    on0 = [FakeCudaTensor((2, 2), 0x9000 + 0x100 * i, device=0) for i in range(3)]
    function(*on0)
    assert seen == [1, 1, 0] and fake_torch.stream_devices[-1] == 0


def test_tensors_on_several_devices_are_refused(fake_torch, seed):
    function, library = seed
    x = FakeCudaTensor((2, 2), 0x1000, device=0)
    y = FakeCudaTensor((2, 2), 0x2000, device=1)
    for _ in range(2):  # the same tensors again are refused again
        with pytest.raises(ValueError, match=r"seed: the tensor arguments are on "
                           r"different devices \(#0 on cuda:0, #1 on cuda:1, #2 on cuda:0\)"):
            function(x, y, x)
    assert library.calls == []
    function(x, x, x)
    assert len(library.calls) == 1


@pytest.mark.parametrize("bad, error, message", [
    (FakeCudaTensor((2, 2), 0x1, cuda=False), TypeError, "must be a CUDA tensor"),
    (FakeCudaTensor((2, 2), 0x1, dtype=FLOAT64), TypeError, "has dtype float64, expected float32"),
    (FakeCudaTensor((4,), 0x1), ValueError, "has rank 1, expected 2"),
    (FakeCudaTensor((2, 2), 0x1, contiguous=False), ValueError, "is not contiguous"),
    (object(), TypeError, "must be a CUDA tensor"),
])
def test_refusals_are_clear_and_launch_nothing(fake_torch, seed, bad, error, message):
    function, library = seed
    good = FakeCudaTensor((2, 2), 0x1000)
    with pytest.raises(error, match=message):
        function(good, good, bad)
    assert library.calls == []


def test_argument_count(fake_torch, seed):
    function, library = seed
    good = FakeCudaTensor((2, 2), 0x1000)
    with pytest.raises(TypeError, match="seed takes 3 arguments, got 2"):
        function(good, good)
    assert library.calls == []


class ResultLibrary:
    """A compiled library whose function returns a buffer it 'allocated'
    at 0x9000 (data from 0x9010: an offset of 4 floats)."""

    def __init__(self):
        def entry(out, x):
            descriptor = out._obj
            descriptor.allocated = 0x9000
            descriptor.aligned = 0x9000
            descriptor.offset = 4
            descriptor.sizes[0], descriptor.sizes[1] = x._obj.sizes[0], x._obj.sizes[1]
            descriptor.strides[0], descriptor.strides[1] = x._obj.sizes[1], 1
        self._mlir_ciface_relu = entry


def test_results_are_tensors_that_own_their_memory(fake_torch, monkeypatch):
    made = []
    fake_torch_module = sys.modules["torch"]
    fake_torch_module.as_tensor = lambda owner, device: made.append((owner, device)) or owner
    freed = []
    monkeypatch.setattr(runtime, "free_device_buffer",
                        lambda pointer, stream: freed.append((pointer, stream)))
    signature = FunctionSignature("relu", ["tensor<?x?xf32>"], ["tensor<?x?xf32>"], True)
    function = Function(ResultLibrary(), signature, target="cuda")
    fake_torch.streams.append(0xabc)
    result = function(FakeCudaTensor((3, 5), 0x1000))
    [(owner, device)] = made
    assert device == "cuda:0"
    interface = owner.__cuda_array_interface__
    assert interface["shape"] == (3, 5)
    assert interface["strides"] == (20, 4)  # bytes
    assert interface["typestr"] == "<f4"
    assert interface["data"] == (0x9000 + 16, False)
    assert fake_torch.set_streams == [0xabc]
    # The buffer goes back to the pool of the call's stream when the last
    # reference to its owner (what torch keeps for the tensor) goes.
    del made[:], owner, result
    assert freed == [(0x9000, 0xabc)]


class FakeResultTensor:
    """What torch.as_tensor makes of a result's owner: a tensor that keeps
    the owner, and views of it that keep it."""

    def __init__(self, owner, dtype):
        self.owner, self.dtype = owner, dtype

    def view(self, dtype):
        return FakeResultTensor(self.owner, dtype)


def test_bf16_results_are_int16_memory_viewed_as_bfloat16(fake_torch, monkeypatch):
    # The CUDA array interface has no bf16 type: the owner exports int16
    # and the tensor is a bfloat16 view of it (torch.as_tensor would
    # refuse a typestr it does not know).
    fake_torch_module = sys.modules["torch"]
    fake_torch_module.as_tensor = lambda owner, device: FakeResultTensor(owner, INT16)
    freed = []
    monkeypatch.setattr(runtime, "free_device_buffer",
                        lambda pointer, stream: freed.append((pointer, stream)))
    signature = FunctionSignature("relu", ["tensor<?x?xbf16>"], ["tensor<?x?xbf16>"], True)
    function = Function(ResultLibrary(), signature, target="cuda")
    result = function(FakeCudaTensor((3, 5), 0x1000, dtype=BFLOAT16))
    assert result.dtype is BFLOAT16
    interface = result.owner.__cuda_array_interface__
    assert interface["typestr"] == "<i2"
    assert interface["strides"] == (10, 2)
    assert interface["data"] == (0x9000 + 8, False)
    with pytest.raises(TypeError, match="has dtype float32, expected bfloat16"):
        function(FakeCudaTensor((3, 5), 0x1000))
    del result
    assert freed == [(0x9000, 0)]


def test_scalar_and_several_results_are_refused():
    for results, message in [(["f32"], "scalar results"),
                             (["tensor<?xf32>"] * 2, "several results")]:
        signature = FunctionSignature("f", ["tensor<?xf32>"], results, True)
        with pytest.raises(TypeError, match=message):
            Function(ResultLibrary(), signature, target="cuda")


def test_an_empty_result_frees_nothing(fake_torch, monkeypatch):
    fake_torch_module = sys.modules["torch"]
    fake_torch_module.as_tensor = lambda owner, device: owner
    freed = []
    monkeypatch.setattr(runtime, "free_device_buffer",
                        lambda pointer, stream: freed.append((pointer, stream)))

    class EmptyLibrary:
        def __init__(self):
            def entry(out, x):
                # A result of zero elements: the runtime allocates nothing.
                out._obj.allocated = out._obj.aligned = None
                out._obj.sizes[0], out._obj.sizes[1] = 0, 5
                out._obj.strides[0], out._obj.strides[1] = 5, 1
            self._mlir_ciface_relu = entry

    signature = FunctionSignature("relu", ["tensor<?x?xf32>"], ["tensor<?x?xf32>"], True)
    function = Function(EmptyLibrary(), signature, target="cuda")
    result = function(FakeCudaTensor((0, 5), 0x1000))
    assert result.__cuda_array_interface__["shape"] == (0, 5)
    assert result.__cuda_array_interface__["data"] == (0, False)
    del result
    assert freed == []
