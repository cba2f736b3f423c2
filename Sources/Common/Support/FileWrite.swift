import FoundationEssentials
import Glibc

/// The one write loop of the toolkit: all of `bytes`, going on after a signal (EINTR).
public enum FileWrite {
    /// nil when every byte was written; otherwise the `errno` that stopped it.
    public static func all(_ bytes: Data, fd: Int32) -> Int32? {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return nil
        }
    }
}
