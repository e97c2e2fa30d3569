/// Identifies one tile file. `settingsHash` changes whenever the map's math or the tile format changes,
/// so a new hash starts a fresh directory and the old one ages out of the disk cache by LRU.
public struct TileCacheKey: Sendable, Hashable {
    public var map: String { didSet { digest = Self.digest(self) } }
    public var settingsHash: String { didSet { digest = Self.digest(self) } }
    public var z: Int { didSet { digest = Self.digest(self) } }
    public var x: UInt128 { didSet { digest = Self.digest(self) } }
    public var y: UInt128 { didSet { digest = Self.digest(self) } }
    /// 1 or 2 (`@2x` tiles).
    public var scale: Int { didSet { digest = Self.digest(self) } }

    /// The fields' hash, computed when the key is made: the memory cache hashes keys inside its lock, which two
    /// event loops share on every cached-tile request, so that work is done before taking it.
    private var digest = 0

    public func hash(into hasher: inout Hasher) {
        hasher.combine(digest)
    }

    public static func == (a: TileCacheKey, b: TileCacheKey) -> Bool {
        a.digest == b.digest && a.z == b.z && a.x == b.x && a.y == b.y && a.scale == b.scale
            && a.map == b.map && a.settingsHash == b.settingsHash
    }

    private static func digest(_ key: TileCacheKey) -> Int {
        var hasher = Hasher()
        hasher.combine(key.map)
        hasher.combine(key.settingsHash)
        hasher.combine(key.z)
        hasher.combine(key.x)
        hasher.combine(key.y)
        hasher.combine(key.scale)
        return hasher.finalize()
    }

    public init(map: String, settingsHash: String, z: Int, x: UInt128, y: UInt128, scale: Int) {
        self.map = map
        self.settingsHash = settingsHash
        self.z = z
        self.x = x
        self.y = y
        self.scale = scale
        digest = Self.digest(self)
    }

    /// `<map>/<settingsHash>/<z>/<x>/<y>.png`, or `.../<y>@2x.png` when `scale` is 2.
    public var relativePath: String {
        let suffix = scale == 1 ? ".png" : "@\(scale)x.png"
        return "\(map)/\(settingsHash)/\(z)/\(x)/\(y)\(suffix)"
    }

    /// The directory part of `relativePath`: `<map>/<settingsHash>/<z>/<x>`.
    var relativeDirectoryComponents: [String] {
        [map, settingsHash, String(z), String(x)]
    }

    /// Whether `relativePath` stays inside the cache directory: names and hashes made only of
    /// `[a-z0-9_-]` (so never `.`, `..` or `/`), non-negative coordinates, scale 1 or 2.
    /// The caller validates URL values already; this is the cache's own guard, checked without a precondition.
    var isSafeForPath: Bool {
        Self.isSafeName(map) && Self.isSafeName(settingsHash)
            && z >= 0 && (scale == 1 || scale == 2)
    }

    /// Longest accepted map name or hash; far below NAME_MAX (255).
    static let maximumNameLength = 128

    static func isSafeName(_ name: String) -> Bool {
        let utf8 = name.utf8
        guard !utf8.isEmpty, utf8.count <= maximumNameLength else { return false }
        return utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
