import FoundationEssentials
import Glibc

/// A file that could not be read, with the system's reason.
public struct FileError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String

    public init(path: String, errno code: Int32) {
        self.path = path
        reason = String(cString: strerror(code)).lowercased()
    }

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
