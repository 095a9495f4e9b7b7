#!/usr/bin/env python3
"""Says what a built binary is, from its headers alone, one line:
  elf x86_64 static | elf aarch64 static | elf ... dynamic (interpreter: PATH)
  pe x86_64
  macho x86_64 | macho arm64 signed
so the release check can assert each platform's binary without running it.

usage: inspect.py FILE
"""
import struct
import sys

ELF_MACHINES = {62: "x86_64", 183: "aarch64"}
MACHO_CPUS = {0x01000007: "x86_64", 0x0100000C: "arm64"}
LC_CODE_SIGNATURE = 0x1D
PT_INTERP = 3


def elf(data):
    if data[4] != 2 or data[5] != 1:
        return "elf (not 64-bit little-endian)"
    machine = struct.unpack_from("<H", data, 18)[0]
    phoff = struct.unpack_from("<Q", data, 32)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        off = phoff + i * phentsize
        kind = struct.unpack_from("<I", data, off)[0]
        if kind == PT_INTERP:
            p_offset, = struct.unpack_from("<Q", data, off + 8)
            p_filesz, = struct.unpack_from("<Q", data, off + 32)
            interp = data[p_offset:p_offset + p_filesz].rstrip(b"\0").decode()
            return f"elf {ELF_MACHINES.get(machine, machine)} dynamic (interpreter: {interp})"
    return f"elf {ELF_MACHINES.get(machine, machine)} static"


def macho(data):
    cpu, _, _, ncmds, _, _ = struct.unpack_from("<iiiIII", data, 4)
    signed = False
    off = 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, off)
        signed |= cmd == LC_CODE_SIGNATURE
        off += size
    arch = MACHO_CPUS.get(cpu & 0xFFFFFFFF, hex(cpu))
    return f"macho {arch}" + (" signed" if signed else "")


def pe(data):
    pe_off = struct.unpack_from("<I", data, 0x3C)[0]
    if data[pe_off:pe_off + 4] != b"PE\0\0":
        return "mz (not PE)"
    machine = struct.unpack_from("<H", data, pe_off + 4)[0]
    return "pe " + {0x8664: "x86_64", 0xAA64: "aarch64"}.get(machine, hex(machine))


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] == b"\x7fELF":
        print(elf(data))
    elif data[:4] == b"\xcf\xfa\xed\xfe":
        print(macho(data))
    elif data[:2] == b"MZ":
        print(pe(data))
    else:
        print("unknown")


if __name__ == "__main__":
    main(sys.argv[1])
