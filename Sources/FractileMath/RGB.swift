/// An 8-bit sRGB colour.
public struct RGB: Sendable, Hashable {
    public var r: UInt8
    public var g: UInt8
    public var b: UInt8

    @inlinable public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
        self.r = r
        self.g = g
        self.b = b
    }

    /// "#rrggbb", for legends and CSS.
    public var hex: String {
        func byte(_ v: UInt8) -> String {
            let digits = String(v, radix: 16)
            return v < 16 ? "0" + digits : digits
        }
        return "#" + byte(r) + byte(g) + byte(b)
    }
}
