"""weights.py - reads (and writes) model_weights for the e2e checks: {name: (shape, values)} in file
order. Two formats (lib/ludwig/model/weights.c): PyTorch's, as torch.save writes a state_dict (a zip
of <folder>/data.pkl, <folder>/data/<key>, <folder>/version; what ludwig-c writes, with float32,
int64 and int32 storages), read here with the standard library's pickle restricted to the globals
such a file uses; and ludwig-c's older
LCWTS001 (8 bytes of magic, a uint32 count, then per tensor a uint16 name length, the name, a dtype
byte, ndim, int64 shape, a uint64 byte count and the float32 values)."""
import collections
import io
import pickle
import struct
import zipfile


def _lcwts(data):
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


class _Storage:
    def __init__(self, fmt, size):
        self.fmt, self.size = fmt, size


def _rebuild(storage, offset, shape, stride, *_):
    vals = storage.values[offset:offset + (1 if not shape else _prod(shape))]
    return (tuple(shape), tuple(vals))


def _prod(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _torch(path):
    z = zipfile.ZipFile(path)
    pkl = [n for n in z.namelist() if n.endswith("/data.pkl")]
    assert len(pkl) == 1, "not a PyTorch file"
    prefix = pkl[0][:-len("data.pkl")]
    globals_ = {("collections", "OrderedDict"): collections.OrderedDict,
                ("torch._utils", "_rebuild_tensor_v2"): _rebuild,
                ("torch", "FloatStorage"): "f", ("torch", "LongStorage"): "q",
                ("torch", "IntStorage"): "i"}

    class Reader(pickle.Unpickler):
        def find_class(self, module, name):
            if (module, name) not in globals_:
                raise pickle.UnpicklingError("unexpected global %s.%s" % (module, name))
            return globals_[(module, name)]

        def persistent_load(self, pid):
            _, fmt, key, _loc, numel = pid
            st = _Storage(fmt, numel)
            raw = z.read(prefix + "data/" + key)
            st.values = struct.unpack("<%d%s" % (numel, fmt), raw)
            return st

    sd = Reader(io.BytesIO(z.read(pkl[0]))).load()
    return collections.OrderedDict((k, v) for k, v in sd.items())


def tensors(path):
    data = open(path, "rb").read()
    if data[:2] == b"PK":
        return _torch(path)
    assert data[:8] == b"LCWTS001", "not a model_weights file"
    return _lcwts(data)


def write(path, tensors_):
    """Writes {name: (shape, values)} of float32 tensors as torch.save would (for the checks that
    alter a model's weights)."""
    buf = io.BytesIO()
    buf.write(b"\x80\x02ccollections\nOrderedDict\n)R(")
    for i, (name, (shape, vals)) in enumerate(tensors_.items()):
        def ustr(s):
            b = s.encode()
            return b"X" + struct.pack("<I", len(b)) + b

        def ints(v):
            out = b"".join(b"J" + struct.pack("<i", x) for x in v)
            return {0: b")", 1: out + b"\x85", 2: out + b"\x86", 3: out + b"\x87"}.get(len(v), b"(" + out + b"t")
        stride, n = [], 1
        for d in reversed(shape):
            stride.insert(0, n)
            n *= d
        buf.write(ustr(name) + b"ctorch._utils\n_rebuild_tensor_v2\n((" + ustr("storage") +
                  b"ctorch\nFloatStorage\n" + ustr(str(i)) + ustr("cpu") + b"J" + struct.pack("<i", len(vals)) +
                  b"tQJ\x00\x00\x00\x00" + ints(list(shape)) + ints(stride) +
                  b"\x89ccollections\nOrderedDict\n)RtR")
    buf.write(b"u.")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("model_weights/data.pkl", buf.getvalue())
        for i, (name, (shape, vals)) in enumerate(tensors_.items()):
            z.writestr("model_weights/data/%d" % i, struct.pack("<%df" % len(vals), *vals))
        z.writestr("model_weights/version", "3\n")


def write_lcwts(path, tensors_):
    """Writes {name: (shape, values)} of float32 tensors in ludwig-c's older LCWTS001 format."""
    out = [b"LCWTS001", struct.pack("<I", len(tensors_))]
    for name, (shape, vals) in tensors_.items():
        nb = name.encode()
        out.append(struct.pack("<H", len(nb)) + nb + struct.pack("<BB", 1, len(shape)) +
                   struct.pack("<%dq" % len(shape), *shape) + struct.pack("<Q", 4 * len(vals)) +
                   struct.pack("<%df" % len(vals), *vals))
    with open(path, "wb") as f:
        f.write(b"".join(out))
