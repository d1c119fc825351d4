"""Finds the multikernel tools and libraries.

In order: $MULTIKERNEL_PREFIX (an install prefix or a build directory), the
build tree this copy of the package was staged into, then `multikernel-compile`
on PATH.
"""

import os
import shutil
from pathlib import Path


class NotFoundError(RuntimeError):
    """A multikernel tool or library could not be found."""


def _prefixes():
    env = os.environ.get("MULTIKERNEL_PREFIX")
    if env:
        yield Path(env)
    try:
        from . import _build_paths  # written by CMake into build/python

        yield Path(_build_paths.BUILD_DIR)
    except ImportError:
        pass
    tool = shutil.which("multikernel-compile")
    if tool:
        yield Path(tool).resolve().parent.parent


def _find(relative):
    tried = []
    for prefix in _prefixes():
        candidate = prefix / relative
        if candidate.exists():
            return candidate
        tried.append(str(candidate))
    raise NotFoundError(
        f"cannot find {relative} (tried: {', '.join(tried) or 'nothing'}); "
        "build multikernel (bash scripts/test.sh) and set MULTIKERNEL_PREFIX "
        "to the build or install directory"
    )


def compiler():
    return _find("bin/multikernel-compile")


def capi_library():
    return _find("lib/libMultiKernelCAPI.so")


def runtime_library():
    return _find("lib/libmultikernel_runtime.so")
