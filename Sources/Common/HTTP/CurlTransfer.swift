import CCurl
import Dispatch
import FoundationEssentials
import Glibc

/// The state of one transfer, reached from curl's C callbacks through an `Unmanaged` userdata pointer.
final class Transfer {
    var responseBody = Data()
    var responseHeaders: [String: String] = [:]
    /// Set by a callback that had to abort the transfer, so the error names the real cause.
    var localError: String?
    /// The transfer was abandoned because nothing moved for `stallTimeout` seconds: worth retrying.
    var stalled = false

    private let stallTimeout: Double
    private var bytesMoved: Int64 = -1
    private var lastMoved = DispatchTime.now().uptimeNanoseconds
    /// Paces the body, when the run has a bandwidth cap.
    private let rateLimiter: RateLimiter?

    /// The status of the answer being received (from its status line), and where a 2xx body goes.
    private var status = 0
    private let sink: ResponseSink?
    /// Whether this answer's first body byte was seen (a 200 starts the sink's file over, a 206 appends).
    private var sinking = false

    init(stallTimeout: Double, rateLimiter: RateLimiter? = nil, sink: ResponseSink? = nil) {
        self.stallTimeout = stallTimeout
        self.rateLimiter = rateLimiter
        self.sink = sink
    }

    private var fd: Int32 = -1
    private var path = ""
    /// Where the body starts in the file (a part of a multipart upload), and its length.
    private var start: Int64 = 0
    private var length: Int64 = 0
    /// How far into the body the next read starts.
    private var offset: Int64 = 0

    /// Opens the body's file; on failure, the reason. A path that names something else than a regular file
    /// by now (replaced since it was hashed) is refused rather than waited on.
    func openFile(_ path: String, offset start: Int64 = 0, length: Int64) -> String? {
        self.path = path
        self.start = start
        self.length = length
        do {
            fd = try RegularFile.open(path).fd
            return nil
        } catch {
            return error.description
        }
    }

    func closeFile() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private static func from(_ userdata: UnsafeMutableRawPointer?) -> Transfer {
        Unmanaged<Transfer>.fromOpaque(userdata!).takeUnretainedValue()
    }

    /// CURLOPT_WRITEFUNCTION: collects the response body; a successful answer's into the sink's file, when
    /// there is one.
    static let receiveBody: curl_write_callback = { buffer, size, count, userdata in
        let transfer = Transfer.from(userdata)
        let total = size * count
        if let sink = transfer.sink, (200..<300).contains(transfer.status) {
            guard let buffer else { return total }
            return transfer.write(buffer, count: total, to: sink) ? total : 0
        }
        if let buffer, total > 0 {
            buffer.withMemoryRebound(to: UInt8.self, capacity: total) { transfer.responseBody.append($0, count: total) }
        }
        return total
    }

    /// CURLOPT_HEADERFUNCTION: one header line per call; a new status line (after a redirect or 100) starts over.
    static let receiveHeader: curl_write_callback = { buffer, size, count, userdata in
        let transfer = Transfer.from(userdata)
        let total = size * count
        guard let buffer, total > 0 else { return total }
        buffer.withMemoryRebound(to: UInt8.self, capacity: total) { start in
            let line = UnsafeBufferPointer(start: start, count: total)
            if line.starts(with: "HTTP/".utf8) {
                transfer.responseHeaders = [:]
                let fields = String(decoding: line, as: UTF8.self).split(separator: " ")
                transfer.status = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
            } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
                // Bytes, not Foundation's trimming: this runs for every header of every response.
                func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
                var first = colon + 1, end = total
                while first < end, isSpace(line[first]) { first += 1 }
                while end > first, isSpace(line[end - 1]) { end -= 1 }
                let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
                transfer.responseHeaders[name] = String(decoding: line[first..<end], as: UTF8.self)
            }
        }
        return total
    }

    /// Appends a piece of a successful answer's body to the sink's file; false (with the reason) when the file
    /// cannot take it. The first piece of a 200 starts the file over: the whole object is coming.
    private func write(_ buffer: UnsafeMutablePointer<CChar>, count: Int, to sink: ResponseSink) -> Bool {
        if !sinking {
            sinking = true
            let etag = S3Client.unquote(responseHeaders["etag"] ?? "")
            if status == 200 {
                sink.restart()
            } else if sink.etag.map({ $0 != etag }) ?? false || Self.rangeStart(responseHeaders["content-range"]) != sink.written {
                // The rest of another version of the object, or from another byte: never appended.
                sink.mismatched = true
                localError = "the rest of the download was not of the same object (ETag \(etag), \(responseHeaders["content-range"] ?? "no range"))"
                return false
            }
            if sink.etag == nil { sink.etag = etag }
            sink.headers = responseHeaders
        }
        var done = 0
        while done < count {
            let wrote = pwrite(sink.fd, buffer + done, count - done, off_t(sink.written))
            guard wrote > 0 else {
                let reason = wrote < 0 ? String(cString: strerror(errno)) : "nothing written"
                sink.writeFailure = reason
                localError = "cannot write the download: \(reason)"
                return false
            }
            sink.wrote(UnsafeRawBufferPointer(start: buffer + done, count: wrote))
            done += wrote
        }
        return true
    }

    /// The first byte of a `Content-Range: bytes 100-199/200`.
    static func rangeStart(_ header: String?) -> Int64? {
        guard let header, header.hasPrefix("bytes "), let dash = header.firstIndex(of: "-") else { return nil }
        return Int64(header[header.index(header.startIndex, offsetBy: 6)..<dash])
    }

    /// CURLOPT_READFUNCTION: streams the request body from the file; under a bandwidth cap, a piece at a time
    /// (`RateLimiter.chunkSize`), each handed to curl only when the cap has room for it. Every byte read counts,
    /// so a body sent again (a retry, a rewind) counts again.
    static let sendBody: curl_read_callback = { buffer, size, count, userdata in
        let transfer = Transfer.from(userdata)
        guard let buffer else { return 0 }
        var wanted = min(Int64(size * count), transfer.length - transfer.offset)
        if let limiter = transfer.rateLimiter { wanted = min(wanted, Int64(limiter.chunkSize)) }
        guard wanted > 0 else { return 0 }
        let got = pread(transfer.fd, buffer, Int(wanted), off_t(transfer.start + transfer.offset))
        if got < 0 {
            transfer.localError = "\(transfer.path): read failed: \(String(cString: strerror(errno)))"
            return Int(CURL_READFUNC_ABORT)
        }
        if got == 0 {
            transfer.localError = "\(transfer.path): file shrank while it was being uploaded"
            return Int(CURL_READFUNC_ABORT)
        }
        if let limiter = transfer.rateLimiter {
            guard limiter.pace(got, interrupted: { Interruption.requested }) else {
                transfer.localError = "interrupted"
                return Int(CURL_READFUNC_ABORT)
            }
            // The wait was the cap's, not the network's: a paced body is not a stalled one.
            transfer.lastMoved = DispatchTime.now().uptimeNanoseconds
        }
        transfer.offset += Int64(got)
        return got
    }

    /// CURLOPT_XFERINFOFUNCTION: called while the transfer runs, at least once a second even when nothing
    /// moves; aborts it when no byte has been sent or received for `stallTimeout` seconds, or when the
    /// process was asked to stop (`Interruption`) while the body was still being sent.
    static let watchProgress: curl_xferinfo_callback = { userdata, _, received, toSend, sent in
        let transfer = Transfer.from(userdata)
        // Asked to stop: a body still being sent is abandoned (S3 stores nothing of a body cut short); a
        // request whose body is all sent waits for its answer, so that the record says what the server did.
        // A download is abandoned too: nothing of it is kept.
        if Interruption.requested && (sent < toSend || transfer.sink != nil) {
            transfer.localError = "interrupted"
            return 1
        }
        let now = DispatchTime.now().uptimeNanoseconds
        let moved = Int64(received) + Int64(sent)
        if moved != transfer.bytesMoved {
            transfer.bytesMoved = moved
            transfer.lastMoved = now
            return 0
        }
        guard Double(now - transfer.lastMoved) / 1e9 >= transfer.stallTimeout else { return 0 }
        transfer.stalled = true
        transfer.localError = "no data moved for \(Int(transfer.stallTimeout)) s"
        return 1
    }

    /// CURLOPT_SEEKFUNCTION: lets curl rewind the body when it must send it again on the same request.
    static let seekBody: curl_seek_callback = { userdata, offset, origin in
        let transfer = Transfer.from(userdata)
        guard origin == SEEK_SET, offset >= 0 else { return Int32(CURL_SEEKFUNC_CANTSEEK) }
        transfer.offset = Int64(offset)
        return Int32(CURL_SEEKFUNC_OK)
    }
}
