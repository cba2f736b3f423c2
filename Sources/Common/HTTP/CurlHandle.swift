import CCurl
import Dispatch
import FoundationEssentials

/// One libcurl easy handle, reused for every request a process makes so that connections are kept alive.
///
/// Not `Sendable`: one thread at a time. Options are reset before each request with `curl_easy_reset`,
/// which keeps live connections, the DNS cache and TLS session ids.
/// https://curl.se/libcurl/c/curl_easy_reset.html
public final class CurlHandle {
    public struct Options: Sendable {
        /// CURLOPT_CONNECTTIMEOUT_MS.
        public var connectTimeout: Double = 10
        /// A request during which no byte moves either way for this many seconds is abandoned (and retried):
        /// a stalled upload, or a server that took the body and never answers. Checked by the progress
        /// callback, about once a second; CURLOPT_LOW_SPEED_TIME would average over a 5 s window and fire
        /// several seconds late after a burst.
        public var stallTimeout: Double = 30
        /// CURLOPT_CAINFO: a PEM bundle to trust instead of the system's.
        public var caBundle: String?
        /// The bandwidth cap request bodies keep to (`--limit-rate`), shared by every request of every handle
        /// given the same limiter (and, through its file, by other processes).
        public var rateLimiter: RateLimiter?

        public init() {}
    }

    private let handle: UnsafeMutableRawPointer
    private let options: Options
    private var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

    public init(options: Options = Options()) throws(TransportError) {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw TransportError(code: -1, message: "cannot initialise libcurl", isTransient: false)
        }
        self.handle = handle
        self.options = options
    }

    deinit { curl_easy_cleanup(handle) }

    /// The PEM bundle trusted instead of the system's CAs, if any.
    public var caBundle: String? { options.caBundle }

    /// Performs one request; HTTP error statuses are returned, not thrown.
    public func perform(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        curl_easy_reset(handle)
        let transfer = Transfer(stallTimeout: options.stallTimeout, rateLimiter: options.rateLimiter, sink: request.sink)
        let unmanaged = Unmanaged.passRetained(transfer)
        defer { unmanaged.release() }
        let userdata = unmanaged.toOpaque()

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // curl adds "Expect: 100-continue" to large PUTs and then waits for the server; we do not want the pause.
        headerList = curl_slist_append(headerList, "Expect:")

        let started = DispatchTime.now().uptimeNanoseconds
        var code = configure(request, headers: headerList, userdata: userdata, transfer: transfer)
        if code == CURLE_OK {
            code = errorBuffer.withUnsafeMutableBufferPointer { buffer in
                buffer[0] = 0
                _ = ccurl_easy_setopt_ptr(handle, CURLOPT_ERRORBUFFER, buffer.baseAddress)
                return curl_easy_perform(handle)
            }
        }
        transfer.closeFile()
        guard code == CURLE_OK else { throw transportError(code, transfer: transfer) }

        var status = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var connects = 0
        _ = ccurl_easy_getinfo_long(handle, CURLINFO_NUM_CONNECTS, &connects)
        var handshakeMicroseconds: curl_off_t = 0
        _ = ccurl_easy_getinfo_off(handle, CURLINFO_APPCONNECT_TIME_T, &handshakeMicroseconds)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return HTTPResponse(status: status, headers: transfer.responseHeaders, body: transfer.responseBody,
                            newConnection: connects > 0, tlsHandshake: handshakeMicroseconds > 0, seconds: seconds)
    }

    private func configure(_ request: HTTPRequest, headers: UnsafeMutablePointer<curl_slist>?,
                           userdata: UnsafeMutableRawPointer, transfer: Transfer) -> CURLcode {
        var results: [CURLcode] = [
            ccurl_easy_setopt_ptr(handle, CURLOPT_URL, request.url),
            ccurl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            // Object keys may hold "/../" or "//": they are names, not paths to normalise.
            ccurl_easy_setopt_long(handle, CURLOPT_PATH_AS_IS, 1),
            ccurl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000)),
            ccurl_easy_setopt_long(handle, CURLOPT_NOPROGRESS, 0),
            ccurl_easy_setopt_xferinfo_function(handle, Transfer.watchProgress),
            ccurl_easy_setopt_ptr(handle, CURLOPT_XFERINFODATA, userdata),
            ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1),
            ccurl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2),
            ccurl_easy_setopt_ptr(handle, CURLOPT_HTTPHEADER, headers),
            ccurl_easy_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, Transfer.receiveBody),
            ccurl_easy_setopt_ptr(handle, CURLOPT_WRITEDATA, userdata),
            ccurl_easy_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, Transfer.receiveHeader),
            ccurl_easy_setopt_ptr(handle, CURLOPT_HEADERDATA, userdata),
        ]
        if let caBundle = options.caBundle {
            results.append(ccurl_easy_setopt_ptr(handle, CURLOPT_CAINFO, caBundle))
        }
        switch request.method {
        case "HEAD":
            results.append(ccurl_easy_setopt_long(handle, CURLOPT_NOBODY, 1))
        case "GET":
            break
        default:
            results.append(ccurl_easy_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, request.method))
        }
        switch request.body {
        case .none:
            break
        case .file(let path, let offset, let length):
            if let reason = transfer.openFile(path, offset: offset, length: length) {
                transfer.localError = "cannot open \(path): \(reason)"
                return CURLE_READ_ERROR
            }
            results.append(contentsOf: upload(length: length, userdata: userdata))
        case .data(let bytes):
            // COPYPOSTFIELDS copies the bytes, so they need not outlive this call; the method stays the
            // request's own (CURLOPT_CUSTOMREQUEST above).
            results.append(ccurl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)))
            results.append(bytes.withUnsafeBytes { raw in
                raw.baseAddress.map { ccurl_easy_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0) }
                    ?? ccurl_easy_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, "")
            })
        }
        return results.first { $0 != CURLE_OK } ?? CURLE_OK
    }

    private func upload(length: Int64, userdata: UnsafeMutableRawPointer) -> [CURLcode] {
        [
            ccurl_easy_setopt_long(handle, CURLOPT_UPLOAD, 1),
            // A bigger piece per read callback for big bodies (curl's default is 64 KB): an eighth of the calls
            // and sends for a part of a multipart upload; a thumbnail keeps the default.
            ccurl_easy_setopt_long(handle, CURLOPT_UPLOAD_BUFFERSIZE, length >= 1 << 20 ? 512 * 1024 : 64 * 1024),
            ccurl_easy_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(length)),
            ccurl_easy_setopt_read_function(handle, CURLOPT_READFUNCTION, Transfer.sendBody),
            ccurl_easy_setopt_ptr(handle, CURLOPT_READDATA, userdata),
            ccurl_easy_setopt_seek_function(handle, CURLOPT_SEEKFUNCTION, Transfer.seekBody),
            ccurl_easy_setopt_ptr(handle, CURLOPT_SEEKDATA, userdata),
        ]
    }

    private func transportError(_ code: CURLcode, transfer: Transfer) -> TransportError {
        let detail = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var message = transfer.localError ?? (detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        if code == CURLE_OPERATION_TIMEDOUT || transfer.stalled { message = "timed out: \(message)" }
        if transfer.stalled { return TransportError(code: Int(code.rawValue), message: message, isTransient: true) }
        let problem = certificateProblem(code)
        let permanent: Set<CURLcode> = [CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_READ_ERROR,
                                        CURLE_ABORTED_BY_CALLBACK, CURLE_OUT_OF_MEMORY, CURLE_BAD_FUNCTION_ARGUMENT]
        return TransportError(code: Int(code.rawValue), message: message,
                              isTransient: transfer.localError == nil && problem == nil && !permanent.contains(code),
                              certificateProblem: problem)
    }

    /// Tells why verification failed. A chain OpenSSL rejects fails the handshake with its X509_V_ERR code; the
    /// host name is checked by curl after that, before it records the verify result, which then stays at its
    /// placeholder 1 (or is X509_V_OK, or X509_V_ERR_HOSTNAME_MISMATCH 62 where OpenSSL checks the name).
    /// https://curl.se/libcurl/c/CURLINFO_SSL_VERIFYRESULT.html
    private func certificateProblem(_ code: CURLcode) -> CertificateProblem? {
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            var verifyResult = 0
            _ = ccurl_easy_getinfo_long(handle, CURLINFO_SSL_VERIFYRESULT, &verifyResult)
            switch verifyResult {
            case 0, 1, 62: return .wrongHostName
            // unable to get the issuer (2, 20), self-signed (18, 19), leaf not verifiable (21), bad signature (7)
            case 2, 7, 18, 19, 20, 21: return .untrustedIssuer
            default: return .other
            }
        case CURLE_SSL_CACERT_BADFILE:
            return .unreadableCABundle
        case CURLE_SSL_ISSUER_ERROR:
            return .untrustedIssuer
        case CURLE_SSL_CERTPROBLEM, CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return .other
        default:
            return nil
        }
    }
}

extension CURLcode: @retroactive Hashable {}
