import Common

/// A thumbnail's box, `WxH` on the command line (`200x300`), each side within `ThumbnailSpec.sides`.
public struct ThumbnailSize: Equatable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public static let sides = ThumbnailSpec.sides

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// `WxH` (any case of the x), each side within `sides`; nil for anything else.
    public init?(parsing argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
              Self.sides.contains(width), Self.sides.contains(height) else { return nil }
        self.init(width: width, height: height)
    }

    public var description: String { "\(width)x\(height)" }
}
