"""Which global memory accesses the shipped kernels use, from their SASS.

A library built by multikernel-compile --target=cuda embeds one cubin (an
ELF file) per variant. This finds them inside the library, disassembles
each with cuobjdump (the CUDA toolkit; run it where one is installed: the
device machine) and counts, per kernel, the global loads and stores by
width: LDG.E.128 / STG.E.128 are the 16-byte accesses.

Usage: sass_check.py <library.so>... [--out table.md]
"""

import collections
import os
import re
import struct
import subprocess
import sys
import tempfile


def embedded_cubins(path):
    """The ELF images embedded in a shared library (not the library)."""
    data = open(path, "rb").read()
    start = 1
    while True:
        at = data.find(b"\x7fELF", start)
        if at < 0:
            return
        start = at + 1
        # 64-bit little-endian ELF: the section and program header tables
        # come last (cubins put the program headers after the sections).
        if data[at + 4] != 2 or data[at + 5] != 1:
            continue
        machine, = struct.unpack_from("<H", data, at + 0x12)
        if machine != 190:  # EM_CUDA
            continue
        phoff, shoff = struct.unpack_from("<QQ", data, at + 0x20)
        phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, at + 0x36)
        end = max(shoff + shentsize * shnum, phoff + phentsize * phnum)
        yield data[at:at + end]


def count_accesses(sass):
    """{kernel: Counter of global access opcodes} from cuobjdump -sass."""
    counts = collections.defaultdict(collections.Counter)
    kernel = "?"
    for line in sass.splitlines():
        found = re.search(r"Function : (\S+)", line)
        if found:
            kernel = found.group(1)
            continue
        op = re.search(r"\b((?:LDG|STG)(?:\.E)?(?:\.[A-Z0-9_]+)*)\b", line)
        if op:
            width = re.search(r"\.(128|64|U8|S8|U16|S16)\b", op.group(1))
            counts[kernel][f"{op.group(1)[:3]}.{width.group(1) if width else '32'}"] += 1
    return counts


def main():
    args = sys.argv[1:]
    out = None
    if "--out" in args:
        out = args[args.index("--out") + 1]
        args = args[:args.index("--out")]
    lines = ["| library | kernel | global loads (by bits) | global stores (by bits) |",
             "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as work:
        for library in args:
            for index, cubin in enumerate(embedded_cubins(library)):
                path = os.path.join(work, f"{index}.cubin")
                with open(path, "wb") as f:
                    f.write(cubin)
                done = subprocess.run(["cuobjdump", "-sass", path], capture_output=True,
                                      text=True)
                if done.returncode != 0:
                    lines.append(f"| {os.path.basename(library)} | cubin {index}: "
                                 f"cuobjdump failed: {done.stderr.strip()[:100]} | | |")
                    continue
                sass = done.stdout
                for kernel, counter in count_accesses(sass).items():
                    loads = ", ".join(f"{k[4:]}: {v}" for k, v in sorted(counter.items())
                                      if k.startswith("LDG"))
                    stores = ", ".join(f"{k[4:]}: {v}" for k, v in sorted(counter.items())
                                       if k.startswith("STG"))
                    lines.append(f"| {os.path.basename(library)} | {kernel} | {loads or '-'} "
                                 f"| {stores or '-'} |")
    text = "\n".join(lines)
    print(text)
    if out:
        with open(out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
