import FoundationEssentials
import Glibc

/// The S3 operations this toolkit needs, signed with SigV4 and sent over one reused curl handle.
///
/// Not `Sendable`: each process (or thread) makes its own.
public final class S3Client {
    public let config: SpacesConfig
    public var retryPolicy: RetryPolicy
    /// The connection settings (timeouts, CA bundle) every handle of this client's kind uses, so that
    /// clients made for other threads follow the run's options too.
    public let httpOptions: CurlHandle.Options
    /// Receives one line per HTTP attempt (method, key, status, time) when debugging; never headers.
    public var debugLog: ((String) -> Void)?
    public private(set) var requestCount = 0
    public private(set) var connectionCount = 0
    /// Seconds spent pausing because the server was throttling.
    public private(set) var pacedSeconds = 0.0
    private var pacer = Pacer()

    let signer: SigV4Signer
    private let http: CurlHandle
    private let addressing: S3Addressing
    var sleep: (Double) -> Void = { seconds in if seconds > 0 { usleep(useconds_t(seconds * 1_000_000)) } }
    /// Off only in tests, to play a server that ignores `encoding-type=url`.
    var urlEncodedListings = true

    public init(config: SpacesConfig, retryPolicy: RetryPolicy = RetryPolicy(), http options: CurlHandle.Options = .init()) throws(S3Error) {
        self.config = config
        self.retryPolicy = retryPolicy
        signer = SigV4Signer(accessKey: config.accessKey, secretKey: config.secretKey, region: config.region)
        addressing = S3Addressing(config: config)
        var options = options
        options.caBundle = options.caBundle ?? config.caBundle
        httpOptions = options
        do {
            http = try CurlHandle(options: options)
        } catch {
            throw .transport(error.message, attempts: 0)
        }
    }

    /// Where a user or browser can fetch `key`: the CDN endpoint when configured, else the bucket's URL.
    public func publicURL(forKey key: String) -> String { addressing.publicURL(forKey: key) }

    /// How messages name this client's server (`S3Error.serverName`).
    var serverName: String { S3Error.serverName(endpoint: config.endpoint.description, isSpaces: config.endpoint.spacesHost != nil) }

    /// A presigned GET URL of `key` (from the endpoint, never the CDN), good for `expires` seconds from `date`.
    public func presignedURL(forKey key: String, expires: Int, at date: Date = Date()) -> String {
        let target = addressing.target(key: key)
        let query = signer.presignedQuery(method: "GET", host: target.host, encodedPath: target.encodedPath, at: date, expires: expires)
        return addressing.target(key: key, query: query).url
    }

    // MARK: Operations

    /// Whether request bodies are hashed into the signature (SHA-256): over plain HTTP only. Over HTTPS, TLS
    /// protects the body and `Content-MD5` makes the server check it, so the file is read and hashed once, for
    /// its MD5, instead of twice (`SigV4Signer.unsignedPayload`).
    public var signsPayload: Bool { config.endpoint.scheme != "https" }

    /// The `x-amz-content-sha256` of a body whose SHA-256 is `sha256` (unused over HTTPS).
    func payloadHash(_ sha256: Data) -> String { signsPayload ? sha256.hexString : SigV4Signer.unsignedPayload }

    /// PutObject with `Content-MD5`, so the server refuses a body that arrives altered.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
    /// - Parameter extraHeaders: stored with the object too, and signed like the rest (`ObjectMetadata`'s
    ///   `x-amz-meta-*` and `content-disposition`).
    /// - Returns: the object's ETag, without quotes.
    public func putObject(key: String, file: String, digest: FileDigest, contentType: String,
                          acl: String? = nil, cacheControl: String? = nil,
                          extraHeaders: [String: String] = [:]) throws(S3Error) -> String {
        let headers = Self.putHeaders(digest: digest, contentType: contentType, acl: acl, cacheControl: cacheControl,
                                      extraHeaders: extraHeaders)
        let response = try send("PUT", key: key, headers: headers, body: .file(path: file, length: digest.size),
                                payloadHash: payloadHash(digest.sha256))
        let etag = Self.unquote(response.headers["etag"] ?? "")
        guard etag.lowercased() == digest.md5.hexString else {
            throw .integrity("the server stored \(key) with ETag \(etag.isEmpty ? "(none)" : etag), not the MD5 \(digest.md5.hexString) that was sent")
        }
        return etag
    }

    /// The headers of a PutObject, every one of them signed by `send`.
    static func putHeaders(digest: FileDigest, contentType: String, acl: String?, cacheControl: String?,
                           extraHeaders: [String: String]) -> [String: String] {
        var headers = extraHeaders
        headers["content-type"] = contentType
        headers["content-md5"] = digest.md5.base64EncodedString()
        headers["content-length"] = String(digest.size)
        if let acl { headers["x-amz-acl"] = acl }
        if let cacheControl { headers["cache-control"] = cacheControl }
        return headers
    }

    /// HeadObject; nil when the object does not exist. Its user metadata (`x-amz-meta-*`) comes with it: the
    /// MD5 that spaces-put stores with a multipart object is there.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html
    public func headObject(key: String) throws(S3Error) -> ObjectInfo? {
        let response = try send("HEAD", key: key, accepting: [404])
        guard response.status != 404 else { return nil }
        var metadata: [String: String] = [:]
        for (name, value) in response.headers where name.hasPrefix("x-amz-meta-") {
            metadata[String(name.dropFirst("x-amz-meta-".count))] = value
        }
        return ObjectInfo(key: key,
                          size: Int64(response.headers["content-length"] ?? "") ?? 0,
                          etag: Self.unquote(response.headers["etag"] ?? ""),
                          contentType: response.headers["content-type"],
                          userMetadata: metadata)
    }

    /// GetObject into `sink`'s file, resuming where an attempt that failed midway left off (`ResponseSink`).
    /// An object replaced between two attempts (412 to `If-Match`, or an answer for the rest that is not of the
    /// same object) is downloaded again from its start, once. `AccessDenied` on the object is its own failure,
    /// not the run's: the credentials were proven by the listing.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
    public func getObject(key: String, into sink: ResponseSink) throws(S3Error) {
        for _ in 0..<2 {
            let response: HTTPResponse
            do {
                response = try send("GET", key: key, sink: sink, accepting: [403, 412, 416])
            } catch where sink.mismatched {
                sink.restart()
                continue
            }
            switch response.status {
            case 403:
                let body = S3ErrorBody(xml: response.body)
                if body.code != "AccessDenied", let fatal = fatalFailure(status: 403, body: body, method: "GET", key: key) { throw fatal }
                throw .service(status: 403, code: body.code, message: body.message, requestId: body.requestId, attempts: 1)
            case 412: sink.restart()
            // Every byte had come, and the attempt failed after them: nothing is left to ask for.
            case 416 where sink.written > 0: return
            case 416: throw .service(status: 416, code: "InvalidRange", message: "the server refused to send \(key)", requestId: nil, attempts: 1)
            default: return
            }
        }
        throw .integrity("\(key) kept changing while it was downloaded")
    }

    /// DeleteObject; deleting an object that does not exist succeeds too.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
    public func deleteObject(key: String) throws(S3Error) {
        _ = try send("DELETE", key: key, accepting: [404])
    }

    /// DeleteObjects: up to `DeleteObjects.maxKeys` keys in one request, with `Content-MD5` (required; SeaweedFS
    /// checks it), each key answered on its own. Keys XML cannot carry unaltered (`DeleteObjects.canBatch`) are
    /// deleted one by one with DeleteObject instead. Deleting a key that does not exist succeeds.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
    /// - Returns: one outcome per key, in order.
    public func deleteObjects(keys: [String]) throws(S3Error) -> [DeleteObjects.Outcome] {
        guard keys.count <= DeleteObjects.maxKeys else {
            throw .badRecord("DeleteObjects takes at most \(DeleteObjects.maxKeys) keys, not \(keys.count)")
        }
        var outcomes = [DeleteObjects.Outcome](repeating: .deleted, count: keys.count)
        let batched = keys.indices.filter { DeleteObjects.canBatch(keys[$0]) }
        if !batched.isEmpty {
            let body = DeleteObjects.body(keys: batched.map { keys[$0] })
            let digests = DeleteObjects.digests(of: body)
            let response = try send("POST", key: nil, query: [("delete", "")],
                                    headers: ["content-type": "application/xml", "content-md5": digests.md5],
                                    body: .data(body), payloadHash: digests.sha256)
            for (index, outcome) in zip(batched, DeleteObjects.outcomes(xml: response.body, keys: batched.map { keys[$0] })) {
                outcomes[index] = outcome
            }
        }
        for index in keys.indices where !DeleteObjects.canBatch(keys[index]) {
            do {
                try deleteObject(key: keys[index])
            } catch let error where !error.isFatal {
                outcomes[index] = .failed(error.description)
            }
        }
        return outcomes
    }

    /// HeadBucket: proves the credentials and that the bucket exists, in one request.
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html
    public func headBucket() throws(S3Error) {
        _ = try send("HEAD", key: nil)
    }

    /// One page of ListObjectsV2, from the start of `prefix` or from where `continuation` says, with its keys
    /// url-encoded so that every key arrives exact (see `ListPage`).
    /// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
    public func listObjects(prefix: String, from continuation: ListPage.Continuation? = nil,
                            maxKeys: Int = 1000) throws(S3Error) -> ListPage {
        var query = [("list-type", "2"), ("prefix", prefix), ("max-keys", String(maxKeys))]
        if urlEncodedListings { query.append(("encoding-type", "url")) }
        switch continuation {
        case .token(let token): query.append(("continuation-token", token))
        case .startAfter(let key): query.append(("start-after", key))
        case nil: break
        }
        let response = try send("GET", key: nil, query: query)
        return try ListPage(xml: response.body)
    }

    /// Every page of the listing of `prefix`, until the last one or one `keepGoing` refuses.
    public func listAllPages(prefix: String, pageSize: Int = 1000, keepGoing: (ListPage) -> Bool = { _ in true }) throws(S3Error) -> [ListPage] {
        try ListPage.follow(from: nil, fetch: { continuation throws(S3Error) in
            try listObjects(prefix: prefix, from: continuation, maxKeys: pageSize)
        }, keepGoing: keepGoing)
    }

    /// Each page of the listing of `prefix` handed to `visit` as it comes, none kept, until one `visit` refuses.
    public func walkPages(prefix: String, pageSize: Int = 1000, visit: (ListPage) -> Bool) throws(S3Error) {
        try ListPage.walk(from: nil, fetch: { continuation throws(S3Error) in
            try listObjects(prefix: prefix, from: continuation, maxKeys: pageSize)
        }, visit: visit)
    }

    /// Every object under `prefix`, as `listAllPages` finds them.
    public func listAllObjects(prefix: String, pageSize: Int = 1000) throws(S3Error) -> [ObjectInfo] {
        try listAllPages(prefix: prefix, pageSize: pageSize).flatMap(\.objects)
    }

    // MARK: Sending

    /// Signs and sends one request, retrying as `retryPolicy` decides; statuses in `accepting` are answers, not errors.
    /// - Parameters:
    ///   - errorsIn200: the answer may be an `<Error>` document under a 200 (CompleteMultipartUpload): then it is
    ///     judged as that error.
    ///   - evenIfInterrupted: sent once even after an interruption was asked for (AbortMultipartUpload, which
    ///     cleans up after an interrupted upload); otherwise an interruption stops any new attempt.
    func send(_ method: String, key: String?, query: [(String, String)] = [], headers: [String: String] = [:],
              body: HTTPBody = .none, payloadHash: String = SigV4Signer.emptyPayloadHash, sink: ResponseSink? = nil,
              accepting: Set<Int> = [], errorsIn200: Bool = false, evenIfInterrupted: Bool = false) throws(S3Error) -> HTTPResponse {
        let target = addressing.target(key: key, query: query)
        let label = Self.debugLabel(method, key: key, query: query)
        var attempt = 0
        while true {
            attempt += 1
            if Interruption.requested && !(evenIfInterrupted && attempt == 1) {
                throw .transport("interrupted", attempts: attempt - 1)
            }
            var toSign = headers.merging(sink?.resumeHeaders ?? [:]) { $1 }
            toSign["host"] = target.host
            let signed = signer.sign(.init(method: method, encodedPath: target.encodedPath, query: query,
                                           headers: toSign, payloadHash: payloadHash), at: Date())
            let failure: RetryPolicy.Failure
            let finalError: S3Error
            if pacer.pause > 0 {
                sleep(pacer.pause)
                pacedSeconds += pacer.pause
            }
            requestCount += 1
            let request = HTTPRequest(method: method, url: target.url, headers: signed, body: body, sink: sink)
            switch Result(catching: { () throws(TransportError) -> HTTPResponse in try http.perform(request) }) {
            case .success(let response):
                if response.newConnection { connectionCount += 1 }
                debugLog?("\(label) -> \(response.status) in \(Printf.string("%.3f", response.seconds))s (attempt \(attempt))"
                          + (response.tlsHandshake ? ", new connection with a TLS handshake" : response.newConnection ? ", new connection" : ""))
                switch try judge(response, method: method, key: key, attempt: attempt, accepting: accepting,
                                 errorsIn200: errorsIn200) {
                case .answer:
                    return response
                case .failed(let why, let error):
                    (failure, finalError) = (why, error)
                }
            case .failure(let error):
                debugLog?("\(label) -> \(error.message) (attempt \(attempt))")
                if error.isCertificateProblem { throw .untrusted(host: target.host, error, caBundle: http.caBundle) }
                (failure, finalError) = (.transport(transient: error.isTransient), .transport(error.message, attempts: attempt))
            }
            switch retryPolicy.decide(failure, attempt: attempt, jitter: Double.random(in: 0..<1)) {
            case .giveUp:
                throw finalError
            case .retry where evenIfInterrupted && Interruption.requested:
                throw finalError
            case .retry(let seconds):
                debugLog?("retrying \(label) in \(Printf.string("%.2f", seconds))s")
                sleep(seconds)
            }
        }
    }

    /// What an HTTP answer means: the answer asked for, or a failure for the retry policy to weigh. Throws the
    /// errors after which no other request could succeed either.
    private enum Judgement {
        case answer
        case failed(RetryPolicy.Failure, S3Error)
    }

    private func judge(_ response: HTTPResponse, method: String, key: String?, attempt: Int,
                       accepting: Set<Int>, errorsIn200: Bool) throws(S3Error) -> Judgement {
        if (200..<300).contains(response.status) && !(errorsIn200 && MultipartUpload.holdsError(response.body)) {
            pacer.record(throttled: false)
            return .answer
        }
        let parsed = S3ErrorBody(xml: response.body)
        pacer.record(throttled: Pacer.isThrottle(status: response.status, code: parsed.code))
        if accepting.contains(response.status) { return .answer }
        if let fatal = fatalFailure(status: response.status, body: parsed, method: method, key: key) { throw fatal }
        let retryAfter = RetryPolicy.parseRetryAfter(response.headers["retry-after"])
        return .failed(.status(response.status, code: parsed.code, retryAfter: retryAfter),
                       .service(status: response.status, code: parsed.code, message: parsed.message,
                                requestId: parsed.requestId ?? response.headers["x-amz-request-id"], attempts: attempt))
    }

    /// Errors after which no other request could succeed either.
    func fatalFailure(status: Int, body: S3ErrorBody, method: String, key: String?) -> S3Error? {
        if let code = body.code {
            if code == "NoSuchBucket" { return .noSuchBucket(config.bucket) }
            if S3Error.authenticationCodes.contains(code) {
                return .authentication(S3Error.authenticationDetail(code: code, message: body.message), server: serverName)
            }
            return nil
        }
        // HEAD answers carry no body: the status is all there is.
        if status == 403 {
            return .authentication(S3Error.authenticationDetail(code: "HTTP 403 Forbidden on \(method) \(key ?? "bucket \(config.bucket)")", message: nil),
                                   server: serverName)
        }
        if status == 404 && key == nil { return .noSuchBucket(config.bucket) }
        return nil
    }

    /// A request as a debug line names it: method and key, and for a multipart upload's requests on an object which
    /// one (`PUT a.tif?partNumber=3`, `POST a.tif?uploadId`); never a query's values otherwise.
    static func debugLabel(_ method: String, key: String?, query: [(String, String)]) -> String {
        guard let key else { return "\(method) /" }
        let names = query.map { $0.0 == "partNumber" ? "partNumber=\($0.1)" : $0.0 }.filter { $0 != "uploadId" || query.count == 1 }
        return "\(method) \(key)" + (names.isEmpty ? "" : "?" + names.joined(separator: "&"))
    }

    /// An ETag without the quotes of an HTTP quoted string, by its bytes.
    static func unquote(_ etag: String) -> String {
        let utf8 = etag.utf8
        return utf8.count >= 2 && utf8.first == UInt8(ascii: "\"") && utf8.last == UInt8(ascii: "\"")
            ? String(decoding: utf8.dropFirst().dropLast(), as: UTF8.self) : etag
    }
}

/// What HeadObject or ListObjectsV2 tells about one object.
public struct ObjectInfo: Sendable, Equatable {
    public var key: String
    public var size: Int64
    public var etag: String
    public var contentType: String?
    /// Its `x-amz-meta-*` headers, names lowercased without the prefix, as HeadObject gives them; nil from a
    /// listing, which does not say.
    public var userMetadata: [String: String]?
    /// When it was stored, as the listing says it (`2026-11-30T11:49:51.965Z`); nil from a HEAD.
    public var lastModified: String?

    public init(key: String, size: Int64, etag: String, contentType: String? = nil, userMetadata: [String: String]? = nil) {
        self.key = key
        self.size = size
        self.etag = etag
        self.contentType = contentType
        self.userMetadata = userMetadata
    }

    /// Keys compare by their bytes, as S3 compares them (`ExactKey`), not by Unicode canonical equivalence.
    public static func == (lhs: ObjectInfo, rhs: ObjectInfo) -> Bool {
        ExactKey(lhs.key) == ExactKey(rhs.key) && lhs.size == rhs.size && lhs.etag == rhs.etag && lhs.contentType == rhs.contentType
    }
}
