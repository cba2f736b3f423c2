import FoundationEssentials
import Glibc
import Dispatch
import Synchronization

/// Originals above `--multipart-threshold`: one multipart upload each, its parts streamed from the file by up to
/// `--part-concurrency` threads, each with a connection of its own.
extension Uploader {
    /// Whether an original of `size` bytes under `key` goes up in parts. A key that XML cannot carry unaltered
    /// goes as one PUT while it can (up to 5 GiB): ListMultipartUploads could not name its upload exactly, so
    /// `--abort-incomplete` could not clean up after it (and Ceph's RADOS Gateway refuses to start one).
    func goesInParts(size: Int64, key: String) -> Bool {
        options.multipart.usesParts(size: size) && (ListPage.survivesXML(key) || size > MultipartSettings.maximumSinglePut)
    }

    /// Hashes the whole file (its MD5 goes with the object as `x-amz-meta-md5`) while its first parts are hashed
    /// beside it, uploads it in parts and assembles them; on any failure, an interruption, or a file that changed
    /// since it was `peeked` at, the upload is aborted so that no part is left behind to be billed.
    /// - Returns: the object's ETag (`<hex>-<parts>`), checked against the parts' MD5s.
    func putInParts(key: String, file: String, peeked: FileDigest, contentType: String) throws(S3Error) -> String {
        let plan = try MultipartPlan(size: peeked.size, partSize: options.multipart.partSize)
        let hashes = PartHashes(plan: plan, file: file, withSHA256: client.signsPayload)
        hashes.hashAhead()
        defer { hashes.stop() }
        let digest = try self.digest(file, what: nil, withSHA256: false)
        guard digest.identity == peeked.identity else {
            throw .fileChanged("changed while it was uploaded (\(change(of: file, since: peeked) ?? "modified")): upload it again once it is complete")
        }
        let uploadId = try noticingUnavailability { () throws(S3Error) in
            try client.createMultipartUpload(key: key, md5: digest.md5, contentType: contentType, acl: options.acl,
                                             cacheControl: options.cacheControl,
                                             extraHeaders: options.metadata.headers(original: true))
        }
        var stored: Int64 = 0
        do throws(S3Error) {
            let partMD5s = try noticingUnavailability { () throws(S3Error) in
                try uploadParts(of: file, plan: plan, hashes: hashes, key: key, uploadId: uploadId, stored: &stored)
            }
            if let what = change(of: file, since: digest) { throw Self.changedWhileUploaded(what) }
            return try noticingUnavailability { () throws(S3Error) in
                try client.completeMultipartUpload(key: key, uploadId: uploadId, partMD5s: partMD5s)
            }
        } catch {
            hashes.stop()
            options.progress?.add(-stored)
            // A part hashed before the file changed is refused by the server (BadDigest, or RGW's
            // XAmzContentSHA256Mismatch): the change is the reason to give.
            let failure = error.isFatal ? error : change(of: file, since: digest).map(Self.changedWhileUploaded) ?? error
            do {
                try client.abortMultipartUpload(key: key, uploadId: uploadId)
            } catch let abortError {
                throw .partsLeft(failure, abortFailure: abortError.description)
            }
            throw failure
        }
    }

    private static func changedWhileUploaded(_ what: String) -> S3Error {
        .fileChanged("changed while it was uploaded (\(what)); its parts were discarded: upload it again once it is complete")
    }

    /// Every part of `plan`, up to `--part-concurrency` at once, each thread with a client (a connection) of its
    /// own, each part with the hashes of its range of the file (`hashes`, mostly made ahead) and retried on its
    /// own. The first failure stops the threads from taking new parts.
    /// - Parameter stored: the bytes of the parts the server confirmed, counted in `options.progress` as they come.
    /// - Returns: each part's MD5, in order.
    private func uploadParts(of file: String, plan: MultipartPlan, hashes: PartHashes, key: String, uploadId: String,
                             stored: inout Int64) throws(S3Error) -> [Data] {
        let board = PartBoard(count: plan.partCount)
        let config = client.config, retryPolicy = client.retryPolicy, http = client.httpOptions
        let debugLog = options.partDebugLog, progress = options.progress
        let threads = min(options.multipart.concurrency, plan.partCount)
        let tallies = Parallel.map(0..<threads) { _ -> (requests: Int, connections: Int) in
            let partClient: S3Client
            do throws(S3Error) {
                partClient = try S3Client(config: config, retryPolicy: retryPolicy, http: http)
            } catch {
                board.fail(error)
                return (0, 0)
            }
            partClient.debugLog = debugLog
            while let part = board.take().map(plan.part) {
                do throws(S3Error) {
                    let hashed: PartHashes.Hashes
                    do throws(FileError) {
                        hashed = try hashes.hashes(of: part.number)
                    } catch {
                        throw .unreadableFile("cannot read \(file): \(error.reason)")
                    }
                    _ = try partClient.uploadPart(key: key, uploadId: uploadId, part: part, file: file,
                                                  md5: hashed.md5, sha256: hashed.sha256)
                    board.finish(part.number, md5: hashed.md5, length: part.length)
                    progress?.add(part.length)
                } catch {
                    board.fail(error)
                }
            }
            return (partClient.requestCount, partClient.connectionCount)
        }
        partRequests += tallies.reduce(0) { $0 + $1.requests }
        partConnections += tallies.reduce(0) { $0 + $1.connections }
        let outcome = board.outcome
        stored = outcome.stored
        return try outcome.md5s.get()
    }
}

/// What the threads uploading one file's parts share: which part is next, each finished part's MD5, and the
/// first failure, after which no thread takes another part.
private final class PartBoard: Sendable {
    private struct State {
        var next = 1
        var md5s: [Data?]
        var stored: Int64 = 0
        var failure: S3Error?
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(md5s: Array(repeating: nil, count: count)))
    }

    /// The number of the next part to send; nil once every part is taken, a part failed, or the process was asked
    /// to stop (Ctrl+C, TERM).
    func take() -> Int? {
        state.withLock { state in
            if Interruption.requested && state.failure == nil { state.failure = .transport("interrupted", attempts: 0) }
            guard state.failure == nil, state.next <= state.md5s.count else { return nil }
            defer { state.next += 1 }
            return state.next
        }
    }

    func finish(_ number: Int, md5: Data, length: Int64) {
        state.withLock { state in
            state.md5s[number - 1] = md5
            state.stored += length
        }
    }

    /// Keeps the first failure: the one that stopped the others.
    func fail(_ error: S3Error) {
        state.withLock { state in
            if state.failure == nil { state.failure = error }
        }
    }

    /// Every part's MD5 in order, or the failure; and the bytes of the parts that were stored either way.
    var outcome: (md5s: Result<[Data], S3Error>, stored: Int64) {
        state.withLock { state in
            if let failure = state.failure { return (.failure(failure), state.stored) }
            let md5s = state.md5s.compactMap { $0 }
            guard md5s.count == state.md5s.count else {
                return (.failure(.integrity("\(state.md5s.count - md5s.count) parts were never sent")), state.stored)
            }
            return (.success(md5s), state.stored)
        }
    }
}
