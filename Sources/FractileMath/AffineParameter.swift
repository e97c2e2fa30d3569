/// A parameter that depends on the pixel p as scale*p + offset (docs/maps.md "Affine parameters").
public struct AffineParameter: Sendable, Hashable {
    public var scale: Complex
    public var offset: Complex

    public init(scale: Complex, offset: Complex) {
        self.scale = scale
        self.offset = offset
    }

    @inlinable public func callAsFunction(_ p: Complex) -> Complex { scale * p + offset }
}
