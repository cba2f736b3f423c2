import Crypto
import FoundationEssentials
import Glibc

/// What a request sends as its body.
public enum HTTPBody: Sendable {
    case none
    /// `length` bytes of the file at `path` from `offset` on (a whole file, or one part of a multipart upload),
    /// streamed, never loaded whole.
    case file(path: String, offset: Int64 = 0, length: Int64)
    /// These bytes, from memory: a small XML document (DeleteObjects).
    case data(Data)
}

public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [String: String]
    public var body: HTTPBody
    /// Where a successful answer's body goes instead of memory (a download); error bodies stay in memory.
    public var sink: ResponseSink?

    public init(method: String, url: String, headers: [String: String], body: HTTPBody = .none, sink: ResponseSink? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.sink = sink
    }
}

/// A download's file, filled across attempts: each attempt after the first asks only for the bytes still
/// missing (`Range`), of the same object (`If-Match` its ETag), and appends them; a server that answers
/// with the whole object (200) starts the file over.
public final class ResponseSink: @unchecked Sendable {
    public let fd: Int32
    /// Bytes in the file so far, all of one object.
    public internal(set) var written: Int64 = 0
    /// The ETag and headers of the object those bytes are of (the answer that began them).
    public internal(set) var etag: String?
    public internal(set) var headers: [String: String] = [:]
    /// The file could not take the bytes (a full disk): the download fails, and it is no fault of the server.
    public internal(set) var writeFailure: String?
    /// An answer for the rest was not of these bytes' object (another ETag, another start): the file starts over.
    public internal(set) var mismatched = false
    /// The MD5 of the bytes in the file so far, taken as they are written: the check needs no second read.
    private var hasher = Insecure.MD5()

    public init(fd: Int32) { self.fd = fd }

    /// `count` bytes at `bytes` written at the end of the file so far.
    func wrote(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        written += Int64(bytes.count)
    }

    /// The MD5 (lowercase hex) of the file's `written` bytes.
    public var md5: String { Data(hasher.finalize()).hexString }

    /// The headers asking for the rest, once some bytes are in.
    public var resumeHeaders: [String: String] {
        guard written > 0, let etag else { return [:] }
        return ["range": "bytes=\(written)-", "if-match": "\"\(etag)\""]
    }

    /// Starts the file over (the object changed between two attempts): the bytes are written again from the
    /// start; the caller cuts the file at `written` once the download is whole.
    public func restart() {
        written = 0
        hasher = Insecure.MD5()
        etag = nil
        headers = [:]
        mismatched = false
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased; a repeated header keeps its last value.
    public var headers: [String: String]
    public var body: Data
    /// Whether this request opened a new connection rather than reusing one.
    public var newConnection: Bool
    /// Whether this request made a TLS handshake (CURLINFO_APPCONNECT_TIME_T > 0): a reused connection makes none.
    public var tlsHandshake: Bool
    public var seconds: Double
}

/// A failure below HTTP: no response was received.
public struct TransportError: Error, CustomStringConvertible, Sendable {
    public var code: Int
    public var message: String
    /// Worth another attempt (connection refused or reset, timeouts); false for local or TLS trust problems.
    public var isTransient: Bool
    /// Why the server's TLS certificate could not be verified, if that is what failed.
    public var certificateProblem: CertificateProblem?

    /// A TLS certificate could not be verified: the run must stop, not retry.
    public var isCertificateProblem: Bool { certificateProblem != nil }

    public var description: String { message }

    public init(code: Int, message: String, isTransient: Bool, certificateProblem: CertificateProblem? = nil) {
        self.code = code
        self.message = message
        self.isTransient = isTransient
        self.certificateProblem = certificateProblem
    }
}

/// What stopped TLS verification, from curl's code and OpenSSL's verify result (CURLINFO_SSL_VERIFYRESULT).
public enum CertificateProblem: Sendable, Equatable {
    /// No trusted CA signed the chain (a private CA missing from the bundle, or the wrong bundle).
    case untrustedIssuer
    /// The chain is trusted but the certificate does not name the host that was asked for.
    case wrongHostName
    /// The CA bundle itself could not be loaded (CURLE_SSL_CACERT_BADFILE).
    case unreadableCABundle
    /// Anything else: expired, revoked, not yet valid, unusable for a server...
    case other
}
