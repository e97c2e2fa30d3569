/// Header fields serialised once and sent with many responses, such as the fields every tile of a map shares: the
/// server copies the bytes as they are instead of writing each field again per response.
///
/// CR and LF in names and values become spaces (no response splitting), and the fields the server writes itself
/// (`Date`, `Server`, `Content-Length`, `Connection`) are left out, as they are when a handler sets them.
public struct PreparedHeaders: Sendable, Equatable {
    /// `name: value\r\n` per field.
    public private(set) var bytes: [UInt8] = []

    public init(_ headers: HTTPHeaders = HTTPHeaders()) {
        for field in headers { append(field.name, field.value) }
    }

    /// These fields and one more.
    public func appending(_ name: String, _ value: String) -> PreparedHeaders {
        var copy = self
        copy.append(name, value)
        return copy
    }

    /// These fields and one more, whose value `write` appends straight to the bytes (no String in between).
    /// CR and LF it writes still become spaces.
    public func appending(_ name: String, writingValue write: (inout [UInt8]) -> Void) -> PreparedHeaders {
        var copy = self
        guard HTTPWireWriter.ManagedField(name) == nil else { return copy }
        HTTPWireWriter.appendField(name, to: &copy.bytes, writingValue: write)
        return copy
    }

    private mutating func append(_ name: String, _ value: String) {
        guard HTTPWireWriter.ManagedField(name) == nil else { return }
        HTTPWireWriter.appendField(name, value, to: &bytes)
    }
}
