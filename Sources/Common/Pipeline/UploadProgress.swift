import FoundationEssentials
import Glibc
import Dispatch
import Synchronization

/// The bytes of originals this process has stored so far, kept in a small file that upload-images' progress line
/// adds up over its workers (`spaces-put --progress-file`): a 2 GB scan then moves the line part by part instead
/// of jumping once at its end. A part counts once the server has confirmed it; the parts of an upload that is
/// then aborted are taken back. Display only: a file that cannot be written is ignored.
///
/// The number is written whole to a new file renamed over the old one, so a reader never sees half of it.
public final class UploadProgress: Sendable {
    public let path: String
    private let stored = Mutex<Int64>(0)

    public init(path: String) {
        self.path = path
        save(0)
    }

    /// Counts `bytes` more as stored (less when negative); safe from every part's thread.
    public func add(_ bytes: Int64) {
        guard bytes != 0 else { return }
        stored.withLock { total in
            total += bytes
            save(total)
        }
    }

    public var bytes: Int64 { stored.withLock { $0 } }

    private func save(_ total: Int64) {
        let temporary = path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        let text = "\(total)\n"
        let written = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        if written == text.utf8.count { rename(temporary, path) } else { unlink(temporary) }
    }
}
