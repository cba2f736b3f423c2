import Crypto
import FoundationEssentials
import Glibc
import Dispatch

extension FileDigest {
    /// The MD5 and SHA-256 of `length` bytes of the file at `path` from `offset` on (one part of a multipart
    /// upload), read with `pread(2)` a MiB at a time: the part is never held whole in memory. A file that ends
    /// before the range does fails: it shrank since it was measured. Without `withSHA256` the SHA-256 is empty.
    public static func compute(path: String, offset: Int64, length: Int64, withSHA256: Bool = true) throws(FileError) -> (md5: Data, sha256: Data) {
        let fd = try openRegular(path).fd
        defer { close(fd) }
        var md5 = Insecure.MD5()
        var sha = SHA256()
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        var done: Int64 = 0
        while done < length {
            let got = pread(fd, buffer.baseAddress, Int(min(Int64(chunk), length - done)), off_t(offset + done))
            if got < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, errno: errno)
            }
            if got == 0 { throw FileError(path: path, reason: "file shrank while it was being uploaded") }
            let slice = UnsafeRawBufferPointer(rebasing: buffer[0..<got])
            md5.update(bufferPointer: slice)
            if withSHA256 { sha.update(bufferPointer: slice) }
            done += Int64(got)
        }
        return (Data(md5.finalize()), withSHA256 ? Data(sha.finalize()) : Data())
    }
}

extension FileDigest {
    /// The file's size, first bytes and identity, without hashing it: for an original that goes up in parts,
    /// whose MD5 pass is made later, side by side with the hashing of its parts. `md5` and `sha256` are empty.
    public static func peek(path: String) throws(FileError) -> FileDigest {
        let (fd, info) = try openRegular(path)
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 16)
        let got = read(fd, &head, head.count)
        guard got >= 0 else { throw FileError(path: path, errno: errno) }
        return FileDigest(size: Int64(info.st_size), md5: Data(), sha256: Data(), head: Array(head.prefix(got)),
                          identity: FileIdentity(info))
    }
}
