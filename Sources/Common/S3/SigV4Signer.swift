import Crypto
import FoundationEssentials
import Glibc

/// AWS Signature Version 4 for S3 requests, signed in the `Authorization` header with the payload's
/// SHA-256 in `x-amz-content-sha256`.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
public struct SigV4Signer: Sendable {
    public let accessKey: String
    private let secretKey: String
    public let region: String
    public let service: String

    /// What `x-amz-content-sha256` says of a body that is not hashed: over HTTPS, where TLS protects it on the
    /// way and `Content-MD5` makes the server check it, as botocore does for PutObject and UploadPart.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The signing key changes once a day: derived once per date stamp, not four HMACs per request.
    private let keyCache = SigningKeyCache()

    public init(accessKey: String, secretKey: String, region: String, service: String = "s3") {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.region = region
        self.service = service
    }

    /// The parts of a request that the signature covers.
    public struct Request: Sendable {
        public var method: String
        /// The request path exactly as sent, already percent-encoded (see `URIEncoding`).
        public var encodedPath: String
        /// Query parameters, not yet encoded.
        public var query: [(String, String)]
        /// Headers to sign and send; `host` must be among them.
        public var headers: [String: String]
        public var payloadHash: String

        public init(method: String, encodedPath: String, query: [(String, String)] = [], headers: [String: String], payloadHash: String) {
            self.method = method
            self.encodedPath = encodedPath
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    /// Returns the request's headers plus `x-amz-date`, `x-amz-content-sha256` and `Authorization`.
    public func sign(_ request: Request, at date: Date) -> [String: String] {
        let (amzDate, dateStamp) = Self.timestamps(date)
        var headers = request.headers
        headers["x-amz-date"] = amzDate
        headers["x-amz-content-sha256"] = request.payloadHash
        var signing = request
        signing.headers = headers
        let pairs = canonicalHeaderPairs(headers)
        let signature = signature(for: signing, pairs: pairs, amzDate: amzDate, dateStamp: dateStamp)
        let signedHeaders = pairs.map(\.name).joined(separator: ";")
        headers["Authorization"] =
            "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope(dateStamp)),SignedHeaders=\(signedHeaders),Signature=\(signature)"
        return headers
    }

    /// The query of a presigned URL (query-string signing): whoever holds the URL may make that one request
    /// until `expires` seconds after `date`, without credentials. Only `host` is signed, and the payload is
    /// `UNSIGNED-PAYLOAD`; the secret is in no part of it, only the signature made with it.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html
    public func presignedQuery(method: String, host: String, encodedPath: String, at date: Date, expires: Int) -> [(String, String)] {
        let (amzDate, dateStamp) = Self.timestamps(date)
        let query = [("X-Amz-Algorithm", "AWS4-HMAC-SHA256"), ("X-Amz-Credential", "\(accessKey)/\(scope(dateStamp))"),
                     ("X-Amz-Date", amzDate), ("X-Amz-Expires", String(expires)), ("X-Amz-SignedHeaders", "host")]
        let request = Request(method: method, encodedPath: encodedPath, query: query, headers: ["host": host], payloadHash: "UNSIGNED-PAYLOAD")
        return query + [("X-Amz-Signature", signature(for: request, amzDate: amzDate, dateStamp: dateStamp))]
    }

    /// The hex signature for a request whose headers already hold `x-amz-date`.
    func signature(for request: Request, pairs: [(name: String, value: String)]? = nil, amzDate: String, dateStamp: String) -> String {
        let canonical = canonicalRequest(request, pairs: pairs ?? canonicalHeaderPairs(request.headers))
        let stringToSign = stringToSign(canonicalRequest: canonical, amzDate: amzDate, dateStamp: dateStamp)
        let key = keyCache.key(for: dateStamp) { signingKey(dateStamp: dateStamp) }
        var mac = HMAC<SHA256>(key: key)
        mac.update(data: Data(stringToSign.utf8))
        return Data(mac.finalize()).hexString
    }

    /// Task 1: the canonical request.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
    func canonicalRequest(_ request: Request, pairs: [(name: String, value: String)]? = nil) -> String {
        let headers = pairs ?? canonicalHeaderPairs(request.headers)
        let headerBlock = headers.map { "\($0.name):\($0.value)\n" }.joined()
        return [
            request.method,
            request.encodedPath,
            Self.canonicalQuery(request.query),
            headerBlock,
            headers.map(\.name).joined(separator: ";"),
            request.payloadHash,
        ].joined(separator: "\n")
    }

    /// Task 2: the string to sign.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-string-to-sign
    func stringToSign(canonicalRequest: String, amzDate: String, dateStamp: String) -> String {
        let hash = Data(SHA256.hash(data: Data(canonicalRequest.utf8))).hexString
        return "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope(dateStamp))\n\(hash)"
    }

    /// Task 3: the signing key, derived from the secret through date, region and service.
    /// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#derive-signing-key
    func signingKey(dateStamp: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secretKey)".utf8))
        for part in [dateStamp, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    func scope(_ dateStamp: String) -> String { "\(dateStamp)/\(region)/\(service)/aws4_request" }

    func signedHeaders(_ headers: [String: String]) -> String {
        canonicalHeaderPairs(headers).map(\.name).joined(separator: ";")
    }

    /// Lowercased names, sorted; values trimmed with inner runs of spaces folded to one.
    func canonicalHeaderPairs(_ headers: [String: String]) -> [(name: String, value: String)] {
        headers
            .filter { $0.key.lowercased() != "authorization" }
            .map { (name: $0.key.lowercased(), value: Self.foldSpaces($0.value)) }
            .sorted { $0.name < $1.name }
    }

    static func foldSpaces(_ value: String) -> String {
        let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t")
        func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }
        var bytes = Array(value.utf8)
        // Most values (dates, hashes, MD5s, content types) have nothing to fold: return them as they are.
        let doubled = zip(bytes, bytes.dropFirst()).contains { $0 == space && $1 == space }
        if !doubled, !(bytes.first.map(isBlank) ?? false), !(bytes.last.map(isBlank) ?? false) { return value }
        while let last = bytes.last, isBlank(last) { bytes.removeLast() }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes.drop(while: isBlank) where !(byte == space && out.last == space) {
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Query parameters encoded (slashes too), sorted by name then value, joined with `&`.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { pair in
            (URIEncoding.encode(pair.0, keepSlash: false), URIEncoding.encode(pair.1, keepSlash: false))
        }
        let sorted = encoded.sorted { a, b in a.name == b.name ? a.value < b.value : a.name < b.name }
        return sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// `(20130524T000000Z, 20130524)` for the given instant, in UTC.
    static func timestamps(_ date: Date) -> (amzDate: String, dateStamp: String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var utc = tm()
        gmtime_r(&seconds, &utc)
        let year = Int(utc.tm_year) + 1900
        let month = Int(utc.tm_mon) + 1
        let day = Int(utc.tm_mday)
        let stamp = pad(year, 4) + pad(month, 2) + pad(day, 2)
        let time = "T" + pad(Int(utc.tm_hour), 2) + pad(Int(utc.tm_min), 2) + pad(Int(utc.tm_sec), 2) + "Z"
        return (stamp + time, stamp)
    }

    private static func pad(_ number: Int, _ width: Int) -> String {
        let digits = String(number)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// The signing key of the current date stamp, kept between requests.
private final class SigningKeyCache: @unchecked Sendable {
    private let lock = Lock()
    private var dateStamp = ""
    private var key: SymmetricKey?

    func key(for dateStamp: String, derive: () -> SymmetricKey) -> SymmetricKey {
        lock.lock()
        defer { lock.unlock() }
        if let key, self.dateStamp == dateStamp { return key }
        let derived = derive()
        self.dateStamp = dateStamp
        key = derived
        return derived
    }
}

extension Data {
    /// Lowercase hexadecimal, as SigV4 and ETags use it.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
