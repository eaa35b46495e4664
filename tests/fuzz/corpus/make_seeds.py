#!/usr/bin/env python3
"""Writes the small seed corpora of tests/fuzz/corpus/<harness>/ (run from anywhere;
the files are in the tree, this says how they were made). Python 3, no packages."""
import gzip, json, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def put(harness, name, data):
    d = os.path.join(HERE, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def gz(b):
    return gzip.compress(b, mtime=0)


# IDX: byte 0 = mode (bits 0-1: 0 as is, 1 gzip, 2 members, 3 trailing) | entry << 2
# (0 any, 1 images, 2 labels) | level << 4; byte 1 = split / tail parameter.
labels = struct.pack(">II", 0x801, 5) + bytes([0, 1, 2, 3, 9])
images = struct.pack(">IIII", 0x803, 2, 3, 2) + bytes(range(12))
put("idx_reader", "labels_raw", bytes([0 | 2 << 2, 0]) + labels)
put("idx_reader", "images_raw", bytes([0 | 1 << 2, 0]) + images)
put("idx_reader", "images_gzip_file", bytes([0 | 1 << 2, 0]) + gz(images))
put("idx_reader", "labels_two_members_file", bytes([2 << 2, 0]) + gz(labels[:6]) + gz(labels[6:]))
put("idx_reader", "images_gzip", bytes([1 | 1 << 2 | 5 << 4, 0]) + images)
put("idx_reader", "labels_members", bytes([2 | 2 << 2, 3]) + labels)
put("idx_reader", "any_trailing", bytes([3, 2]) + labels)
put("idx_reader", "any_4d", bytes([1, 0]) + struct.pack(">IIIII", 0x804, 1, 2, 1, 2) + bytes(4))


# .npy
def npy(descr, shape, data, major=1):
    s = "(" + "".join(f"{n}, " if len(shape) > 1 else f"{n}," for n in shape).rstrip(" ") + ")" if shape else "()"
    if len(shape) > 1:
        s = "(" + ", ".join(str(n) for n in shape) + ")"
    d = f"{{'descr': '{descr}', 'fortran_order': False, 'shape': {s}, }}"
    pre = 10 if major == 1 else 12
    hlen = (pre + len(d) + 1 + 63) // 64 * 64 - pre
    h = d + " " * (hlen - len(d) - 1) + "\n"
    lenb = struct.pack("<H", hlen) if major == 1 else struct.pack("<I", hlen)
    return b"\x93NUMPY" + bytes([major, 0]) + lenb + h.encode() + data


put("npy_reader", "f4_2x3", npy("<f4", [2, 3], struct.pack("<6f", 0, 1, -1, 0.5, 2, 3)))
put("npy_reader", "f8_vec", npy("<f8", [3], struct.pack("<3d", 1, 2.5, -7)))
put("npy_reader", "i1_scalar", npy("|i1", [], b"\xff"))
put("npy_reader", "i2_v2", npy("<i2", [2, 2], struct.pack("<4h", 1, -1, 1, -1), major=2))
put("npy_reader", "i4_empty", npy("<i4", [0, 4], b""))
put("npy_reader", "fortran_i2_2x3", npy("<i2", [2, 3], struct.pack("<6h", 1, 4, 2, 5, 3, 6)).replace(b"False", b"True "))
put("npy_reader", "i8_vec", npy("<i8", [3], struct.pack("<3q", 1, -2, 1 << 40)))
put("npy_reader", "be_f8_fortran", npy(">f8", [2, 2], struct.pack(">4d", 1, 2, 3, 4)).replace(b"False", b"True "))
put("npy_reader", "bool_2x2", npy("|b1", [2, 2], bytes([1, 0, 0, 1])))

# Register map: the real one (first registers only, to stay small) and variants.
with open(os.path.join(ROOT, "sysc", "regmap", "mind1024_regs.json")) as f:
    regs = json.load(f)
small = dict(regs)
small["registers"] = regs["registers"][:4]
small["constants"] = regs["constants"][:2]
put("regmap", "small.json", json.dumps(small, indent=1).encode())
arr = dict(small)
arr["registers"] = [r for r in regs["registers"] if "count" in r][:1] + regs["registers"][:1]
put("regmap", "array_reg.json", json.dumps(arr).encode())
put("regmap", "missing_key.json", json.dumps({"prefix": "X", "version": {"major": 1}}).encode())
put("regmap", "wrong_type.json", b'{"prefix":"M","version":{"major":"0x1","minor":2},"register_block_size":64,'
    b'"constants":[],"registers":[{"name":"A","offset":"0x0","access":"RX","desc":"d","reset":"0",'
    b'"fields":[{"name":"F","lsb":70,"width":40}]}]}')


# ELF: a minimal RV32 executable with one PT_LOAD in ROM (0x0) and a truncated one.
def elf32(entry, segs):
    ehsize, phsize = 52, 32
    off = ehsize + phsize * len(segs)
    ph, body = b"", b""
    for vaddr, data, memsz, flags in segs:
        ph += struct.pack("<IIIIIIII", 1, off + len(body), vaddr, vaddr, len(data), memsz, flags, 4)
        body += data
    eh = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
    eh += struct.pack("<HHIIIIIHHHHHH", 2, 243, 1, entry, ehsize, 0, 0, ehsize, phsize, len(segs), 40, 0, 0)
    return eh + ph + body


prog = struct.pack("<4I", 0x00000513, 0x00100073, 0x0000006F, 0)
put("elf_loader", "rom_one_segment.elf", elf32(0, [(0, prog, 16, 5)]))
put("elf_loader", "rom_bss.elf", elf32(0, [(0, prog, 16, 5), (0x10000000, b"\1\2\3\4", 64, 6)]))
put("elf_loader", "truncated.elf", elf32(0, [(0, prog, 16, 5)])[:60])

# Frames (host/link/frame.h): a few hand-made frames; the fuzzer finds the payload layouts.


def frame(t, seq, payload):
    return struct.pack("<IHHII", 0x4B4E4C4D, 1, t, seq, len(payload)) + payload


put("frame_decoder", "bye", frame(0x17, 1, b""))
put("frame_decoder", "read32", frame(0x10, 2, struct.pack("<I", 0x40)))
put("frame_decoder", "write32_then_time", frame(0x11, 3, struct.pack("<II", 0x44, 1)) + frame(0x16, 4, b""))
put("frame_decoder", "read_block", frame(0x12, 5, struct.pack("<II", 0x1000, 64)))
put("frame_decoder", "bad_magic", b"MLNX" + frame(0x17, 1, b"")[4:])
put("frame_decoder", "batch", frame(0x18, 6, struct.pack("<I", 5) + struct.pack("<BII", 2, 0x44, 1) +
                                    struct.pack("<BIII", 3, 0x17C, 0xF, 0xFF) + struct.pack("<BQ", 4, 2**64 - 1) +
                                    struct.pack("<BI", 1, 0x40) + b"\x05"))


# chip_bus: byte 0 picks the chip (0: N_MAX 64 defaults, 1: N_MAX 40 WBITS 3 per-neuron
# events, 2: N_MAX 17 WBITS 16 LANES 1, 3: N_MAX 33 WBITS 1 ABITS 2); then operations,
# an opcode byte (% 12) and its arguments (fuzz_chip_bus.cpp, Driver::run).
REG = {n: i for i, n in enumerate(
    "ID VERSION CONFIG CTRL STATUS IRQ_EN IRQ_STATUS MODE N_ACTIVE MAX_SWEEPS TEMP SEED SWEEPS FLIPS "
    "CYCLES_LO CYCLES_HI OVF_COUNT SYN_ADDR SYN_DATA THR_ADDR THR_DATA FIELD_ADDR FIELD_DATA "
    "STATE0 STATE1 STATE2 STATE31 CLAMP0 CLAMP1 CLAMP2 CLAMP31 U00C U034 U054 U078 U200 UFFC M011 P1000 PFFFFFFFC".split())}
START, STEP, HEBB, CLEAR, ABORT, RESET = range(6)  # command() picks kCmds[b % 6] for b < 0xC0


def wr(reg, v):
    return bytes([0, REG[reg]]) + struct.pack("<I", v & 0xFFFFFFFF)


def rd(*regs):
    return b"".join(bytes([2, REG[r]]) for r in regs)


def cmd(c):
    return bytes([4, c])


def wait(b):
    return bytes([5, b])


def idle():
    return bytes([11])


def row(i, vals):
    return bytes([8, i, 1]) + bytes(v & 0xFF for v in vals)


def readback():
    return rd("STATUS", "SWEEPS", "FLIPS", "OVF_COUNT", "CYCLES_LO", "CYCLES_HI", "STATE0", "IRQ_STATUS") + \
        wr("FIELD_ADDR", 0) + rd("FIELD_DATA", "FIELD_DATA", "FIELD_DATA") + wr("SYN_ADDR", 1) + rd("SYN_DATA", "SYN_DATA")


def pattern(n, seed):
    x, out = seed, []
    for _ in range(n):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out.append((x >> 16) % 255 - 127)
    return out


def hopfield(chip, n, nmax, mode, sweeps, seed):
    b = bytes([chip]) + wr("N_ACTIVE", n) + wr("MAX_SWEEPS", sweeps) + wr("MODE", mode) + wr("SEED", seed)
    b += wr("TEMP", 40) + wr("IRQ_EN", 3)
    for i in range(min(n, 12)):
        b += row(i, pattern(nmax, seed + i))
    b += wr("STATE0", 0x5A5A1234 ^ seed) + wr("STATE1", 0x0F0F)
    return b


put("chip_bus", "sync_run", hopfield(0, 32, 64, 0, 5, 1) + cmd(START) + idle() + readback())
put("chip_bus", "async_perm_abort", hopfield(1, 40, 40, 2 | 8, 9, 7) + cmd(START) + wait(60) + cmd(ABORT) + idle() + readback())
put("chip_bus", "fine_abort_step", hopfield(3, 33, 33, 1, 3, 3) + cmd(STEP) + wait(3) + cmd(ABORT) + wait(1) + cmd(ABORT) + idle() + readback())
put("chip_bus", "hebb_window", hopfield(2, 17, 17, 0, 1, 5) + cmd(HEBB) + rd("SYN_DATA") + wait(0xF0) + bytes([7, 0x84, 0, 0]) + readback())
put("chip_bus", "busy_errors", hopfield(0, 64, 64, 1, 9, 9) + wr("IRQ_EN", 2) + cmd(START) + wr("MODE", 2) + bytes([6, 1, 4, 0, 1, 2]) +
    rd("STATUS", "IRQ_STATUS", "MODE", "THR_DATA") + cmd(START) + wait(30) + cmd(RESET) + idle() + readback())
put("chip_bus", "bad_args", bytes([1]) + wr("N_ACTIVE", 0) + cmd(START) + rd("STATUS") + wr("IRQ_STATUS", 2) + wr("N_ACTIVE", 41) +
    cmd(HEBB) + wr("N_ACTIVE", 5) + wr("MAX_SWEEPS", 0) + cmd(STEP) + wr("MODE", 3) + wr("MAX_SWEEPS", 2) + cmd(START) + cmd(CLEAR) + idle() + readback())
put("chip_bus", "odd_accesses", bytes([3]) + bytes([9, 0, 0, 9, 3, 3, 9, 4, 7, 9, 6, 12, 9, 7, 33]) + rd("U00C", "M011", "P1000", "CTRL", "ID", "VERSION", "CONFIG") +
    wr("ID", 1) + wr("FIELD_DATA", 2) + bytes([6, 6, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 7, 7, 0xFF, 0xFF]) + bytes([10, REG["THR_DATA"], 4]) + struct.pack("<4I", 1, 0xFFFFFFFF, 0x800000, 7) + rd("THR_ADDR"))
put("chip_bus", "clear_step_wrap", hopfield(1, 20, 40, 0 | 4, 4, 11) + bytes([10, REG["CLAMP0"], 1]) + struct.pack("<I", 0x00F0) + cmd(STEP) + idle() +
    readback() + cmd(CLEAR) + wait(10) + cmd(ABORT) + idle() + cmd(0xC0 | 0x11) + idle() + readback())
