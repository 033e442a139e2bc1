"""
ReAge's OpenImageIO service: reads and writes OpenEXR, DPX and float TIFF plates (and
converts colours with OpenColorIO) for the Node process that started it.
src/main/node/oiio-service.ts starts one per Node process and sends it one request at
a time; importing OpenImageIO costs about half a second, so the process lives as long
as its parent. It ends when its stdin closes (the parent exited or stopped it).

Protocol, both ways: a frame is a 4-byte little-endian length, that many bytes of
UTF-8 JSON (the header), then `payload_bytes` (a header field, 0 when absent) raw
bytes. Pixel payloads are float32, little-endian, channels interleaved, rows top to
bottom. On start the service sends one frame, {"hello": true, "ok": true, "oiio":
"2.4.7"}, or {"hello": true, "ok": false, "error": "..."} and exits. Every request
{"id": n, "cmd": ...} gets one reply {"id": n, "ok": true, ...} or {"id": n, "ok":
false, "kind": ..., "error": ...}, kind being one of:
  missing   the file does not exist or cannot be opened for reading
  magic     the file is not an image of the format its reader expected
  truncated the file ends early, or its data is corrupt
  refused   a file ReAge does not read (deep, multi-part, volume, too large): `error` says why
  oversize  the data window exceeds the limits given (`width`, `height` in the reply)
  failed    anything else (the error text says what)

Commands:
  read          {path, max_side, max_pixels, max_samples}     -> {spec}, payload
  write         {path, format, spec, template?}, payload      -> {}
  ocio_convert  {config, from, to}, payload (RGB float32)     -> {}, payload
  ocio_spaces   {config}                                      -> {names}
Messages to stdout from the libraries would corrupt the stream, so the protocol uses
a duplicate of the original stdout and fd 1 is pointed at stderr.
"""

import json
import math
import os
import re
import struct
import sys

PROTO_OUT = os.fdopen(os.dup(1), "wb", buffering=0)
os.dup2(2, 1)
PROTO_IN = sys.stdin.buffer


def write_all(data):
    """An unbuffered write may take part of the data: write until all of it is out."""
    view = memoryview(data)
    while view:
        n = PROTO_OUT.write(view)
        view = view[n:]


def send(header, payload=b""):
    if payload:
        header = dict(header, payload_bytes=len(payload))
    body = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    write_all(struct.pack("<I", len(body)) + body)
    if payload:
        write_all(payload)


def read_exact(n):
    """n bytes from stdin, or None at end of input (the parent closed it)."""
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = PROTO_IN.readinto(view[got:])
        if not k:
            return None
        got += k
    return buf


def receive():
    head = read_exact(4)
    if head is None:
        return None, None
    (length,) = struct.unpack("<I", head)
    body = read_exact(length)
    if body is None:
        return None, None
    header = json.loads(body.decode("utf-8"))
    size = int(header.get("payload_bytes") or 0)
    payload = read_exact(size) if size else bytearray()
    if payload is None:
        return None, None
    return header, payload


try:
    import numpy as np
    import OpenImageIO as oiio
except Exception as err:  # noqa: BLE001: any import failure is reported as is
    send({"hello": True, "ok": False, "error": f"{type(err).__name__}: {err}"})
    sys.exit(0)


class ServiceError(Exception):
    def __init__(self, kind, message, **extra):
        super().__init__(message)
        self.kind = kind
        self.extra = extra


# ---------------------------------------------------------------------------
# Reading


def classify(text):
    """OpenImageIO's error text -> (kind, message in plain words)."""
    low = text.lower()
    if "could not open" in low or "no such file" in low or "does not exist" in low:
        return "missing", f"the file could not be opened (OpenImageIO: {text})"
    if "not an openexr file" in low or "not a dpx" in low or "not a tiff" in low or "bad magic" in low or "magic number" in low:
        return "magic", f"its contents are not an image of the format its name says; the file is corrupt or misnamed (OpenImageIO: {text})"
    if "unexpected end" in low or "premature" in low or "truncat" in low or "short read" in low or "end of file" in low:
        return "truncated", f"the file is truncated or corrupt (OpenImageIO: {text})"
    return "truncated", f"the file is corrupt or cannot be decoded (OpenImageIO: {text})"


def json_value(value):
    """An attribute's value as JSON: numbers (non-finite as strings), strings, lists; bytes as a list of ints."""
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (int, str, bool)) or value is None:
        return value
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    if isinstance(value, (tuple, list)):
        return [json_value(v) for v in value]
    if hasattr(value, "tolist"):
        return json_value(value.tolist())
    return str(value)


def describe_spec(spec, inp, subimages):
    attributes = {}
    types = {}
    for p in spec.extra_attribs:
        try:
            attributes[p.name] = json_value(p.value)
        except Exception:  # noqa: BLE001: an attribute Python cannot hold is reported by name only
            attributes[p.name] = None
        types[p.name] = str(p.type)
    return {
        "format": inp.format_name(),
        "width": spec.width,
        "height": spec.height,
        "x": spec.x,
        "y": spec.y,
        "full_x": spec.full_x,
        "full_y": spec.full_y,
        "full_width": spec.full_width,
        "full_height": spec.full_height,
        "channel_names": list(spec.channelnames),
        "channel_types": [str(spec.channelformat(i)) for i in range(spec.nchannels)],
        "alpha_channel": spec.alpha_channel,
        "tile_width": spec.tile_width,
        "tile_height": spec.tile_height,
        "compression": spec.get_string_attribute("compression", ""),
        "subimages": subimages,
        "deep": bool(spec.deep),
        "attributes": attributes,
        "attribute_types": types,
    }


def count_subimages(inp, spec):
    declared = spec.get_int_attribute("oiio:subimages", 0)
    if declared:
        return declared
    n = 1
    while n < 1024 and inp.seek_subimage(n, 0):
        n += 1
    inp.seek_subimage(0, 0)
    return n


def subimage_names(inp, count):
    names = []
    for i in range(min(count, 8)):
        if inp.seek_subimage(i, 0):
            names.append(inp.spec().get_string_attribute("oiio:subimagename", "") or str(i))
    inp.seek_subimage(0, 0)
    return names


def quoted(path):
    """The file's name for a command in a message (the message names the full path already)."""
    name = os.path.basename(path)
    return name if re.fullmatch(r"[\w.+@%-]+", name) else json.dumps(name)


def cmd_read(req, _payload):
    path = req["path"]
    oiio.geterror()  # clear any stale global error
    inp = oiio.ImageInput.open(path)
    if inp is None:
        kind, message = classify(oiio.geterror() or "unknown error")
        raise ServiceError(kind, message)
    try:
        spec = inp.spec()
        subimages = count_subimages(inp, spec)
        if subimages > 1:
            names = subimage_names(inp, subimages)
            raise ServiceError(
                "refused",
                f"it has {subimages} parts ({', '.join(names)}{', ...' if subimages > len(names) else ''}); "
                f"ReAge reads single-part EXR: extract the part with oiiotool, e.g. "
                f"oiiotool {quoted(path)} --subimage 0 -o part.exr",
            )
        if spec.deep:
            raise ServiceError(
                "refused",
                "it is a deep image (several samples per pixel); ReAge reads flat images: flatten it first, "
                f"e.g. oiiotool {quoted(path)} --flatten -o flat.exr",
            )
        if spec.depth > 1:
            raise ServiceError("refused", f"it is a volume image ({spec.depth} slices deep); ReAge reads flat 2D images")
        width, height = spec.width, spec.height
        if width < 1 or height < 1:
            raise ServiceError("truncated", f"its header gives an empty data window ({width}x{height}); the file is corrupt")
        if width > req["max_side"] or height > req["max_side"] or width * height > req["max_pixels"]:
            raise ServiceError("oversize", "too large", width=width, height=height)
        if width * height * spec.nchannels > req["max_samples"]:
            raise ServiceError(
                "refused",
                f"it holds {spec.nchannels} channels of {width}x{height} pixels, over ReAge's limit of "
                f"{req['max_samples']} samples a frame; keep the channels the plate needs "
                f"(e.g. oiiotool {quoted(path)} --ch R,G,B,A -o rgba.exr)",
            )
        described = describe_spec(spec, inp, subimages)
        pixels = inp.read_image(0, 0, 0, spec.nchannels, "float")
        if pixels is None:
            kind, message = classify(inp.geterror() or oiio.geterror() or "unknown read error")
            if kind == "missing":
                kind, message = "truncated", f"the image data could not be read (OpenImageIO: {inp.geterror()})"
            raise ServiceError(kind, message)
        data = np.ascontiguousarray(pixels, dtype="<f4").reshape(height, width, spec.nchannels)
        return {"spec": described}, memoryview(data).cast("B")
    finally:
        inp.close()


def cmd_header(req, _payload):
    """The file's spec without its pixels: what an import reads for the frame rate and timecode."""
    path = req["path"]
    oiio.geterror()
    inp = oiio.ImageInput.open(path)
    if inp is None:
        kind, message = classify(oiio.geterror() or "unknown error")
        raise ServiceError(kind, message)
    try:
        spec = inp.spec()
        return {"spec": describe_spec(spec, inp, count_subimages(inp, spec))}, b""
    finally:
        inp.close()


# ---------------------------------------------------------------------------
# Writing

# EXR compressions written as they were. PXR24, B44 and B44A are lossy, but encoding what
# they decoded gives the same pixels again; DWAA and DWAB do not (a rewrite would change
# pixels ReAge did not touch), so those plates, and compressions OpenEXR cannot write,
# are written with zip, which is lossless.
EXR_COMPRESSIONS = {"none", "rle", "zip", "zips", "piz", "pxr24", "b44", "b44a"}
TIFF_COMPRESSIONS = {"none", "lzw", "zip", "packbits"}


def writable_compression(fmt, compression):
    if not compression:
        return None
    base = compression.split(":")[0].lower()
    if fmt == "openexr":
        return compression if base in EXR_COMPRESSIONS else "zip"
    if fmt == "tiff":
        return compression if base in TIFF_COMPRESSIONS else "zip"
    return None


def spec_from_header(h):
    types = [oiio.TypeDesc(t) for t in h["channel_types"]]
    spec = oiio.ImageSpec(h["width"], h["height"], len(h["channel_names"]), types[0])
    spec.channelnames = tuple(h["channel_names"])
    if len(set(h["channel_types"])) > 1:
        spec.channelformats = tuple(types)
    spec.x, spec.y = h.get("x", 0), h.get("y", 0)
    spec.full_x, spec.full_y = h.get("full_x", spec.x), h.get("full_y", spec.y)
    spec.full_width = h.get("full_width", h["width"])
    spec.full_height = h.get("full_height", h["height"])
    if h.get("alpha_channel", -1) >= 0:
        spec.alpha_channel = h["alpha_channel"]
    if h.get("tile_width"):
        spec.tile_width, spec.tile_height = h["tile_width"], h["tile_height"]
    attr_types = h.get("attribute_types", {})
    for name, value in (h.get("attributes") or {}).items():
        if name.startswith("oiio:") and name != "oiio:BitsPerSample":
            continue
        kind = attr_types.get(name)
        try:
            if kind:
                v = tuple(value) if isinstance(value, list) else value
                if kind.startswith("uint8[") and isinstance(value, list):
                    # a byte blob (an ICC profile): OpenImageIO's binding takes it only as a numpy array
                    v = np.array(value, dtype=np.uint8)
                spec.attribute(name, oiio.TypeDesc(kind), v)
            else:
                spec.attribute(name, value)
        except Exception:  # noqa: BLE001: an attribute the spec cannot take is dropped, not fatal
            pass
    return spec


def template_spec(template, h):
    inp = oiio.ImageInput.open(template)
    if inp is None:
        raise ServiceError("failed", f"cannot open the template {template} (OpenImageIO: {oiio.geterror()})")
    try:
        spec = oiio.ImageSpec(inp.spec())
    finally:
        inp.close()
    got = (h["width"], h["height"], len(h["channel_names"]))
    want = (spec.width, spec.height, spec.nchannels)
    if got != want:
        raise ServiceError(
            "failed",
            f"the pixels are {got[0]}x{got[1]}x{got[2]} but the template {template} is {want[0]}x{want[1]}x{want[2]}",
        )
    return spec


def fsync_file(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def cmd_write(req, payload):
    h = req["spec"]
    fmt = req["format"]
    nch = len(h["channel_names"])
    expected = h["width"] * h["height"] * nch * 4
    if len(payload) != expected:
        raise ServiceError("failed", f"{len(payload)} bytes of pixels; {h['width']}x{h['height']}x{nch} float needs {expected}")
    spec = template_spec(req["template"], h) if req.get("template") else spec_from_header(h)
    out = oiio.ImageOutput.create(fmt)
    if out is None:
        raise ServiceError("failed", f"OpenImageIO has no {fmt} writer ({oiio.geterror()})")
    compression = writable_compression(fmt, h.get("compression") or spec.get_string_attribute("compression", ""))
    if compression:
        spec.attribute("compression", compression)
    elif fmt == "openexr":
        spec.attribute("compression", "zip")
    if spec.tile_width and not out.supports("tiles"):
        spec.tile_width = spec.tile_height = spec.tile_depth = 0
    for name in ("oiio:subimages", "oiio:subimagename"):
        spec.erase_attribute(name)
    path = req["path"]
    pixels = np.frombuffer(payload, dtype="<f4").reshape(h["height"], h["width"], nch)
    if not out.open(path, spec):
        raise ServiceError("failed", f"cannot create {path} (OpenImageIO: {out.geterror()})")
    ok = out.write_image(pixels)
    error = out.geterror() if not ok else ""
    closed = out.close()
    if not ok or not closed:
        raise ServiceError("failed", f"writing {path} failed (OpenImageIO: {error or out.geterror()})")
    fsync_file(path)
    return {}, b""


# ---------------------------------------------------------------------------
# OpenColorIO

_ocio = None
_configs = {}
_processors = {}


def ocio_module():
    global _ocio
    if _ocio is None:
        try:
            import PyOpenColorIO  # noqa: PLC0415: imported only when a colour conversion is asked for
        except Exception as err:  # noqa: BLE001
            raise ServiceError(
                "failed",
                "colour conversion needs OpenColorIO's Python module (Debian: python3-pyopencolorio; "
                f"elsewhere: pip install opencolorio); {type(err).__name__}: {err}",
            ) from err
        _ocio = PyOpenColorIO
    return _ocio


def ocio_config(path):
    OCIO = ocio_module()
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError as err:
        raise ServiceError("failed", f"the OCIO config {path} cannot be read ({err.strerror})") from err
    cached = _configs.get(path)
    if cached and cached[0] == mtime:
        return cached[1]
    try:
        config = OCIO.Config.CreateFromFile(path)
    except Exception as err:  # noqa: BLE001
        raise ServiceError("failed", f"the OCIO config {path} is not valid (OpenColorIO: {err})") from err
    _configs[path] = (mtime, config)
    for key in [k for k in _processors if k[0] == path]:
        del _processors[key]
    return config


def cmd_ocio_convert(req, payload):
    config = ocio_config(req["config"])
    key = (req["config"], req["from"], req["to"])
    cpu = _processors.get(key)
    if cpu is None:
        try:
            cpu = config.getProcessor(req["from"], req["to"]).getDefaultCPUProcessor()
        except Exception as err:  # noqa: BLE001
            raise ServiceError(
                "failed", f"cannot convert from {req['from']!r} to {req['to']!r} with {req['config']} (OpenColorIO: {err})"
            ) from err
        _processors[key] = cpu
    if len(payload) % 12:
        raise ServiceError("failed", f"{len(payload)} bytes is not whole RGB float32 pixels")
    rgb = np.frombuffer(payload, dtype="<f4")  # the request's own buffer, converted in place
    if rgb.size:
        cpu.applyRGB(rgb)
    return {}, memoryview(rgb).cast("B")


def cmd_ocio_spaces(req, _payload):
    config = ocio_config(req["config"])
    return {"names": [cs.getName() for cs in config.getColorSpaces()]}, b""


COMMANDS = {
    "read": cmd_read,
    "header": cmd_header,
    "write": cmd_write,
    "ocio_convert": cmd_ocio_convert,
    "ocio_spaces": cmd_ocio_spaces,
    "ping": lambda _req, _payload: ({}, b""),
}


def main():
    send({"hello": True, "ok": True, "oiio": oiio.VERSION_STRING})
    while True:
        req, payload = receive()
        if req is None:
            return
        rid = req.get("id")
        try:
            handler = COMMANDS.get(req.get("cmd"))
            if handler is None:
                raise ServiceError("failed", f"unknown command {req.get('cmd')!r}")
            header, out = handler(req, payload)
            send(dict(header, id=rid, ok=True), out)
        except ServiceError as err:
            send(dict(err.extra, id=rid, ok=False, kind=err.kind, error=str(err)))
        except Exception as err:  # noqa: BLE001: the service must answer every request
            send({"id": rid, "ok": False, "kind": "failed", "error": f"{type(err).__name__}: {err}"})


if __name__ == "__main__":
    main()
