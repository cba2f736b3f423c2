import Crypto
import FoundationEssentials
import Glibc

/// The size, MD5 and SHA-256 of a file, computed in one streaming pass.
/// MD5 goes in `Content-MD5` (the server checks the body against it); SHA-256 in the SigV4 payload hash.
public struct FileDigest: Sendable, Equatable {
    public var size: Int64
    public var md5: Data
    public var sha256: Data
    /// The first bytes of the file, kept from the same pass for content sniffing.
    public var head: [UInt8]
    /// The file as it was opened for hashing; compared again after the upload to catch files that changed.
    public var identity: FileIdentity?

    public init(size: Int64, md5: Data, sha256: Data, head: [UInt8] = [], identity: FileIdentity? = nil) {
        self.size = size
        self.md5 = md5
        self.sha256 = sha256
        self.head = head
        self.identity = identity
    }

    /// `RegularFile.open`, its refusal worded as a `FileError` naming the path: every pass over a file starts here.
    static func openRegular(_ path: String) throws(FileError) -> (fd: Int32, info: stat) {
        do {
            return try RegularFile.open(path)
        } catch {
            throw FileError(path: path, reason: error.description)
        }
    }

    /// Refuses what is not a regular file (a FIFO would block the read forever) without waiting on it.
    /// - Parameter withSHA256: false for a file that goes up in parts, each with its own SHA-256: then `sha256`
    ///   is empty, and the pass costs MD5 alone.
    public static func compute(path: String, withSHA256: Bool = true) throws(FileError) -> FileDigest {
        let (fd, info) = try openRegular(path)
        defer { close(fd) }
        var md5 = Insecure.MD5()
        var sha = SHA256()
        var size: Int64 = 0
        var head: [UInt8] = []
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let got = read(fd, buffer.baseAddress, chunk)
            if got < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, errno: errno)
            }
            if got == 0 { break }
            let slice = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            if head.count < 16 { head += slice.prefix(16 - head.count) }
            md5.update(bufferPointer: slice)
            if withSHA256 { sha.update(bufferPointer: slice) }
            size += Int64(got)
        }
        return FileDigest(size: size, md5: Data(md5.finalize()), sha256: withSHA256 ? Data(sha.finalize()) : Data(), head: head,
                          identity: FileIdentity(info))
    }
}
