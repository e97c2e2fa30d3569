/// What is wrong with a file that should be a PNG.
enum PNGStructureProblem: Equatable, CustomStringConvertible {
    case badSignature
    /// A chunk's header, data or CRC runs past the end of the file (a truncated write or copy).
    case truncated(offset: Int)
    case chunkTooLong(offset: Int)
    case badChunkType(offset: Int)
    case crcMismatch(chunk: String, offset: Int)
    case firstChunkNotIHDR
    case badIHDR
    case missingIDAT
    case missingIEND
    case bytesAfterIEND(count: Int)

    var description: String {
        switch self {
        case .badSignature: "not a PNG signature"
        case .truncated(let offset): "truncated at byte \(offset)"
        case .chunkTooLong(let offset): "chunk length over 2^31-1 at byte \(offset)"
        case .badChunkType(let offset): "invalid chunk type at byte \(offset)"
        case .crcMismatch(let chunk, let offset): "CRC mismatch in \(chunk) chunk at byte \(offset)"
        case .firstChunkNotIHDR: "first chunk is not IHDR"
        case .badIHDR: "IHDR is not 13 bytes with a non-zero width and height"
        case .missingIDAT: "no IDAT chunk"
        case .missingIEND: "no IEND chunk"
        case .bytesAfterIEND(let count): "\(count) bytes after IEND"
        }
    }
}

/// A structural check of PNG bytes (PNG spec §5): the signature, then every chunk's length, type, data and CRC-32,
/// IHDR first, at least one IDAT, IEND last with nothing after it. It does not inflate the image data:
/// it catches what a crash, a short write or a flipped bit on disk leaves behind, cheaply enough for every read.
enum PNGStructure {
    /// PNG spec §5.2.
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// nil when `bytes` is a structurally valid PNG.
    static func problem(in bytes: [UInt8]) -> PNGStructureProblem? {
        guard bytes.count >= signature.count, bytes[0..<signature.count].elementsEqual(signature) else {
            return .badSignature
        }
        var offset = signature.count
        var sawIDAT = false
        var isFirst = true
        while offset < bytes.count {
            // length (4) + type (4) + data (length) + CRC (4); PNG spec §5.3.
            guard bytes.count - offset >= 12 else { return .truncated(offset: offset) }
            let length = readUInt32(bytes, at: offset)
            guard length <= 0x7FFF_FFFF else { return .chunkTooLong(offset: offset) }
            let dataStart = offset + 8
            guard bytes.count - dataStart - 4 >= Int(length) else { return .truncated(offset: offset) }
            let typeBytes = bytes[(offset + 4)..<dataStart]
            guard typeBytes.allSatisfy(isASCIILetter) else { return .badChunkType(offset: offset) }
            let type = String(decoding: typeBytes, as: UTF8.self)
            let dataEnd = dataStart + Int(length)
            let storedCRC = readUInt32(bytes, at: dataEnd)
            guard CRC32.checksum(bytes[(offset + 4)..<dataEnd]) == storedCRC else {
                return .crcMismatch(chunk: type, offset: offset)
            }
            if isFirst {
                guard type == "IHDR" else { return .firstChunkNotIHDR }
                guard length == 13, readUInt32(bytes, at: dataStart) != 0, readUInt32(bytes, at: dataStart + 4) != 0
                else { return .badIHDR }
                isFirst = false
            }
            offset = dataEnd + 4
            switch type {
            case "IDAT":
                sawIDAT = true
            case "IEND":
                guard sawIDAT else { return .missingIDAT }
                guard offset == bytes.count else { return .bytesAfterIEND(count: bytes.count - offset) }
                return nil
            default:
                break
            }
        }
        return isFirst ? .firstChunkNotIHDR : .missingIEND
    }

    private static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }
}
