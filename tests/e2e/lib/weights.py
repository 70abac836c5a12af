"""weights.py - reads ludwig-c's model_weights file for the e2e checks: {name: (shape, values)}.
The layout (lib/ludwig/model/weights.c): 8 bytes of magic and version, a uint32 count, then per
tensor a uint16 name length, the name, a dtype byte, ndim, int64 shape, a uint64 byte count and
the float32 values."""
import struct


def tensors(path):
    data = open(path, "rb").read()
    n, at, out = struct.unpack_from("<I", data, 8)[0], 12, {}
    for _ in range(n):
        nl = struct.unpack_from("<H", data, at)[0]
        name = data[at + 2:at + 2 + nl].decode()
        at += 2 + nl
        nd = data[at + 1]
        shape = struct.unpack_from("<%dq" % nd, data, at + 2)
        at += 2 + 8 * nd
        nb = struct.unpack_from("<Q", data, at)[0]
        out[name] = (shape, struct.unpack_from("<%df" % (nb // 4), data, at + 8))
        at += 8 + nb
    return out
