import FoundationEssentials

/// Why an S3 operation failed, worded for a person reading stderr.
public enum S3Error: Error, CustomStringConvertible, Sendable {
    /// The credentials were refused: stop the whole run rather than fail every image alike. `server` names
    /// the endpoint that refused them (`S3Error.serverName`).
    case authentication(String, server: String)
    /// The bucket does not exist: also fatal.
    case noSuchBucket(String)
    /// The server could not be trusted (TLS verification failed): fatal, never retried.
    case untrustedServer(String)
    /// Any other error response, after retries where they made sense.
    case service(status: Int, code: String?, message: String?, requestId: String?, attempts: Int)
    /// No response at all, after retries.
    case transport(String, attempts: Int)
    /// The server answered, but not with what S3 promises (for example an ETag that is not the MD5 sent).
    case integrity(String)
    /// The record lacks what the upload needs (a key).
    case badRecord(String)
    /// A local file could not be read.
    case unreadableFile(String)
    /// A download could not be written (a full disk, a folder that went away).
    case unwritableFile(String)
    /// The local file is not what it was: changed during its upload, or since its thumbnail was made.
    case fileChanged(String)
    /// Not tried at all: the circuit breaker is open because the server stopped answering.
    case notAttempted(String)
    /// The file is larger than S3 allows for one object (5 TiB).
    case tooLarge(String)
    /// The thumbnail's upload failed this way.
    indirect case thumbnail(S3Error)
    /// A multipart upload failed this way and could not be aborted either (the reason): its parts stay stored,
    /// and billed, until `spaces-put --abort-incomplete` removes them (or Spaces, after 30 days).
    indirect case partsLeft(S3Error, abortFailure: String)

    /// The server did not answer usefully even after retries: a dead connection, a timeout or a 5xx.
    public var meansServerUnavailable: Bool {
        switch self {
        case .transport: return true
        case .service(let status, _, _, _, _): return status >= 500 || status == 429
        case .thumbnail(let error), .partsLeft(let error, _): return error.meansServerUnavailable
        default: return false
        }
    }

    /// Errors that mean no further request can succeed.
    public var isFatal: Bool {
        switch self {
        case .authentication, .noSuchBucket, .untrustedServer: return true
        case .partsLeft(let error, _): return error.isFatal
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .authentication(let detail, let server):
            return "Failed to authenticate with \(server): \(detail)"
        case .noSuchBucket(let bucket):
            return "Bucket not found: \(bucket) (create it first, or check SPACES_BUCKET and SPACES_REGION)"
        case .untrustedServer(let detail):
            return "Cannot verify the TLS certificate of \(detail)"
        case .service(let status, let code, let message, let requestId, let attempts):
            var text = "HTTP \(status)"
            if let code { text += " \(code)" }
            if let message, !message.isEmpty { text += ": \(message)" }
            if let requestId { text += " (request id \(requestId))" }
            if attempts > 1 { text += " after \(attempts) attempts" }
            return text
        case .transport(let detail, let attempts):
            return attempts > 1 ? "\(detail) (after \(attempts) attempts)" : detail
        case .integrity(let detail), .badRecord(let detail), .unreadableFile(let detail), .unwritableFile(let detail), .fileChanged(let detail),
             .notAttempted(let detail), .tooLarge(let detail):
            return detail
        case .thumbnail(let error):
            return "thumbnail: \(error)"
        case .partsLeft(let error, let abortFailure):
            return "\(error); its uploaded parts could not be removed (\(abortFailure)): spaces-put --abort-incomplete removes them later"

        }
    }

    /// `.untrustedServer` for a failed TLS verification: the host, curl's reason and what to check, on one line.
    /// - Parameter caBundle: the SPACES_CA_BUNDLE in use, if any.
    public static func untrusted(host: String, _ error: TransportError, caBundle: String?) -> S3Error {
        let hint: String
        switch error.certificateProblem {
        case .wrongHostName:
            hint = "the certificate is for another host name: check SPACES_ENDPOINT"
        case .unreadableCABundle:
            hint = "cannot load SPACES_CA_BUNDLE=\(caBundle ?? "(unset)") as PEM certificates"
        case .untrustedIssuer:
            hint = caBundle.map { "no CA in SPACES_CA_BUNDLE=\($0) signed it" }
                ?? "no CA this system trusts signed it: for a private CA set SPACES_CA_BUNDLE to its PEM file"
        case .other, nil:
            hint = caBundle.map { "trusting the CAs in SPACES_CA_BUNDLE=\($0)" } ?? "trusting the system's CAs"
        }
        return .untrustedServer("\(host): \(error.message) (\(hint))")
    }

    /// The server a message names: `DigitalOcean Spaces at https://nyc3.digitaloceanspaces.com` for a Spaces
    /// endpoint (the Python tool's words), `the S3 server at http://127.0.0.1:9000` for any other.
    public static func serverName(endpoint: String, isSpaces: Bool) -> String {
        isSpaces ? "DigitalOcean Spaces at \(endpoint)" : "the S3 server at \(endpoint)"
    }

    /// An authentication failure's detail: S3's code and message. Ceph's RADOS Gateway, which Spaces runs on,
    /// sends an empty `<Message>`; then the detail says what to check instead.
    static func authenticationDetail(code: String, message: String?) -> String {
        if let message, !message.trimmingWhitespace().isEmpty { return "\(code): \(message)" }
        return "\(code) (the server gave no reason: check SPACES_ACCESS_KEY, SPACES_SECRET_KEY and SPACES_REGION)"
    }

    /// Error codes that mean the credentials (or their permissions) are wrong for every request.
    static let authenticationCodes: Set<String> = [
        "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "InvalidToken", "ExpiredToken",
        "AuthorizationHeaderMalformed", "InvalidSecurity",
    ]
}

/// Why the pre-flight check (one HeadBucket) failed, worded for a person deciding what to do next: a
/// throttling or silent server is named as such, not left as a bare HTTP status.
public struct PreflightFailure: Error, CustomStringConvertible {
    public let error: S3Error
    public let endpoint: String

    public init(error: S3Error, endpoint: String) {
        self.error = error
        self.endpoint = endpoint
    }

    public var description: String {
        switch error {
        case .service(let status, let code, _, _, _) where Pacer.isThrottle(status: status, code: code):
            return "the service at \(endpoint) is throttling requests (\(error)): wait a few minutes and try again, or use fewer workers"
        case .service(let status, _, _, _, _) where status >= 500:
            return "the service at \(endpoint) is not answering normally (\(error)): try again later"
        case .transport:
            return "the server at \(endpoint) is not answering (\(error)): check SPACES_ENDPOINT and the network, or try again later"
        default:
            return error.description
        }
    }
}

/// The fields of an S3 `<Error>` document.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
public struct S3ErrorBody: Sendable, Equatable {
    public var code: String?
    public var message: String?
    public var requestId: String?

    public init(xml: Data) {
        let fields = XMLFields.collect(xml, names: ["Code", "Message", "RequestId"])
        code = fields["Code"]?.first
        message = fields["Message"]?.first
        requestId = fields["RequestId"]?.first
    }
}
