/// Why an archive could not be written or read: one line that names the file.
public struct TileArchiveError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
