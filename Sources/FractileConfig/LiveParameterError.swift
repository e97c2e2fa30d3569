/// A URL parameter that cannot change a map's settings (docs/maps.md "Live parameters in URLs"): the key and why, as
/// the one line a 400 answer carries.
public struct LiveParameterError: Error, Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var message: String

    public init(key: String, message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { "\(key): \(message)" }
}
