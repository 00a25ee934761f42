"""The VBA project as [MS-OVBA] says a writer must store it: source only, no compiled code.

pyOpenVBA writes the ``_VBA_PROJECT`` stream with version 0x00B5 and a zero-filled
performance cache, and its blank workbook's ``Sheet1`` module stream still carries a
compiled-code cache before the source. [MS-OVBA] 2.3.4.1 says that on write the version
MUST be 0xFFFF and the performance cache MUST NOT be present: the stream is then exactly
``CC 61 FF FF 00 01 00``, which makes every Excel ignore compiled code and compile the
modules from source (every VBA project xlwings ships has that form). With a cache that
claims a version, 64-bit Excel may trust it, fail, and "repair" the file by deleting the
whole project. :func:`source_only` rewrites a project to the spec form: the 7-byte
``_VBA_PROJECT`` and, in every module stream, the compressed source alone (its
MODULEOFFSET in the ``dir`` stream set to 0), the ``dir`` stream ending at its
Terminator.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Final

# [MS-OVBA] 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 0x0001
SPEC_VBA_PROJECT: Final = bytes.fromhex("CC61FFFF000100")

PROJECTCODEPAGE: Final = 0x0003
PROJECTVERSION: Final = 0x0009
MODULESTREAMNAME: Final = 0x001A
MODULEOFFSET: Final = 0x0031
TERMINATOR: Final = 0x0010


def dir_records(raw: bytes) -> Iterator[tuple[int, int, int]]:
    """``(id, start, end)`` of every record of a decompressed ``dir`` stream, in order.

    Records are ``Id`` (2 bytes), ``Size`` (4 bytes), ``Size`` bytes of data; the one
    exception is PROJECTVERSION (2.3.4.2.1.11), whose 4-byte field is reserved and which
    holds 6 bytes of data.

    >>> raw = struct.pack("<HIH", 3, 2, 1252) + struct.pack("<HIIH", 9, 4, 1, 2)
    >>> [(rid, raw[s:e]) for rid, s, e in dir_records(raw)]
    [(3, b'\\xe4\\x04'), (9, b'\\x01\\x00\\x00\\x00\\x02\\x00')]
    """
    pos = 0
    while pos + 6 <= len(raw):
        rid, size = struct.unpack_from("<HI", raw, pos)
        if rid == PROJECTVERSION:
            size = 6
        start, end = pos + 6, pos + 6 + size
        if end > len(raw):
            raise ValueError(f"dir record 0x{rid:04X} at byte {pos} runs past the stream end")
        yield rid, start, end
        pos = end


def module_offsets(raw: bytes) -> dict[str, int]:
    """Module stream name -> MODULEOFFSET, from a decompressed ``dir`` stream."""
    codec = "cp1252"
    found: dict[str, int] = {}
    stream = None
    for rid, start, end in dir_records(raw):
        if rid == PROJECTCODEPAGE:
            codec = f"cp{struct.unpack_from('<H', raw, start)[0]}"
        elif rid == MODULESTREAMNAME:
            stream = raw[start:end].decode(codec)
        elif rid == MODULEOFFSET:
            if stream is None:
                raise ValueError("MODULEOFFSET before any MODULESTREAMNAME in the dir stream")
            found[stream] = struct.unpack_from("<I", raw, start)[0]
            stream = None
    return found


def source_only(project: bytes) -> bytes:
    """``vbaProject.bin`` with the spec ``_VBA_PROJECT`` and no compiled code in any module."""
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, decompress

    cfb = CFB.from_bytes(project)
    raw = decompress(cfb.get_stream_in_storage("VBA", "dir"), stream_name="dir")
    patched = bytearray(raw)
    offsets = module_offsets(raw)
    for rid, start, end in dir_records(raw):
        if rid == MODULEOFFSET:
            struct.pack_into("<I", patched, start, 0)
        elif rid == TERMINATOR:
            # the stream ends with the terminator (pyOpenVBA adds 4 zero bytes after it)
            del patched[end:]
            break
    for stream, offset in offsets.items():
        if offset:
            data = cfb.get_stream_in_storage("VBA", stream)
            # what follows the cache is the CompressedSourceCode container (signature 0x01)
            if data[offset : offset + 1] != b"\x01":
                raise ValueError(f"module stream {stream!r} has no source at offset {offset}")
            cfb.write_stream_in_storage("VBA", stream, data[offset:])
    if patched != raw:
        cfb.write_stream_in_storage("VBA", "dir", compress(bytes(patched)))
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", SPEC_VBA_PROJECT)
    return cfb.to_bytes()
