"""A small independent PNG reader (zlib + the five filters), so tests check tiles without trusting libpng."""
import struct
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PNGError(ValueError):
    pass


def chunks(data):
    """Yields (type, payload) after checking every length and CRC."""
    if data[:8] != SIGNATURE:
        raise PNGError("bad signature")
    offset = 8
    while offset < len(data):
        if offset + 12 > len(data):
            raise PNGError("truncated chunk header")
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        kind = data[offset + 4:offset + 8]
        payload = data[offset + 8:offset + 8 + length]
        if len(payload) != length or offset + 12 + length > len(data):
            raise PNGError("truncated chunk")
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        if zlib.crc32(kind + payload) & 0xFFFFFFFF != crc:
            raise PNGError("bad CRC in %r" % kind)
        yield kind.decode("latin-1"), payload
        offset += 12 + length
        if kind == b"IEND":
            if offset != len(data):
                raise PNGError("bytes after IEND")
            return
    raise PNGError("no IEND")


def decode(data):
    """Returns (width, height, rows) with rows as lists of (r, g, b) tuples; also the IHDR fields as a dict."""
    header = None
    palette = None
    idat = b""
    for kind, payload in chunks(data):
        if kind == "IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", payload)
            header = dict(width=width, height=height, depth=depth, color=color, interlace=interlace)
        elif kind == "PLTE":
            palette = [tuple(payload[i:i + 3]) for i in range(0, len(payload), 3)]
        elif kind == "IDAT":
            idat += payload
    if header is None or header["interlace"] != 0:
        raise PNGError("missing IHDR or interlaced")
    width, height, depth, color = header["width"], header["height"], header["depth"], header["color"]
    channels = {0: 1, 2: 3, 3: 1}[color]
    bits_per_pixel = channels * depth
    stride = (width * bits_per_pixel + 7) // 8
    bpp = max(1, bits_per_pixel // 8)
    raw = zlib.decompress(idat)
    if len(raw) != height * (stride + 1):
        raise PNGError("wrong amount of image data")
    rows, previous = [], bytearray(stride)
    for r in range(height):
        kind = raw[r * (stride + 1)]
        line = bytearray(raw[r * (stride + 1) + 1:(r + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            elif kind != 0:
                raise PNGError("bad filter %d" % kind)
        previous = line
        if color == 2:
            rows.append([tuple(line[i * 3:i * 3 + 3]) for i in range(width)])
        elif color == 3:
            per_byte = 8 // depth
            indices = [(line[i // per_byte] >> ((per_byte - 1 - i % per_byte) * depth)) & ((1 << depth) - 1)
                       for i in range(width)]
            rows.append([palette[i] for i in indices])
        else:
            rows.append([(v, v, v) for v in line[:width]])
    return width, height, rows, header
