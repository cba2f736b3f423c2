import Foundation

/// What a request sends as its body.
public enum HTTPBody: Sendable {
    case none
    /// `length` bytes from the start of the file at `path`, streamed, never loaded whole.
    case file(path: String, length: Int64)
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: HTTPBody

    public init(method: String, url: String, headers: [String: String], body: HTTPBody = .none) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: Data
    /// Whether this request opened a new connection rather than reusing one.
    public var newConnection: Bool
    public var seconds: Double
}

/// A failure below HTTP: no response was received.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var code: Int
    public var message: String
    /// Worth another attempt (connection refused or reset, timeouts); false for local or TLS trust problems.
    public var isTransient: Bool
    /// A TLS certificate could not be verified: the run must stop, not retry.
    public var isCertificateProblem: Bool

    public var description: String { message }
}
