import FoundationEssentials
import Glibc

/// Where img-thumb writes thumbnails and spaces-get its downloads when no `--out` is given: `$TMPDIR/NAME-UID`
/// (else `/tmp/NAME-UID`: `img-thumb-1000`, `spaces-get-1000`), private to the user.
///
/// A shared `/tmp` is everybody's: the folder is used only when it is a real folder (not a link), owned by
/// this user and closed to others (mode 0700), so nobody else can read the files or plant files there.
/// spaces-put removes each thumbnail once uploaded and keeps those of failed uploads for a retry, img-thumb
/// each download once used; what is still there after `staleAfter` (a run killed, a retry never made) is
/// removed by the next command that uses the folder.
public enum PrivateFolder {
    public static let staleAfter: TimeInterval = 7 * 24 * 3600

    public static func defaultPath(named name: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        var base = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        return "\(base)/\(name)-\(getuid())"
    }

    /// Creates the private folder, or checks that the existing one is private, and removes stale files.
    public static func preparePrivate(_ path: String, now: Date = Date()) throws(FileError) {
        try ensurePrivate(path)
        removeStale(in: path, before: now.addingTimeInterval(-staleAfter))
    }

    /// Whether `path` is a folder of this user's that no one else can enter.
    public static func isPrivate(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR && info.st_uid == getuid() && info.st_mode & 0o077 == 0
    }

    /// Creates the folder (mode 0700), or checks that the existing one is a folder of this user's closed to others.
    public static func ensurePrivate(_ path: String) throws(FileError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST { throw FileError(path: path, errno: errno) }
        var info = stat()
        guard lstat(path, &info) == 0 else { throw FileError(path: path, errno: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw FileError(path: path, reason: "not a folder (a link or a file is there): remove it, or use --out")
        }
        guard info.st_uid == getuid() else {
            throw FileError(path: path, reason: "owned by another user (uid \(info.st_uid)): use --out")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw FileError(path: path, reason: Printf.string("open to other users (mode %o): chmod 700 it, or use --out", info.st_mode & 0o777))
        }
    }

    /// Removes files (thumbnails, downloads and half-written temporary files) last changed before `cutoff`.
    static func removeStale(in path: String, before cutoff: Date) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return }
        for name in names {
            var info = stat()
            let file = path + "/" + name
            guard lstat(file, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
                  Double(info.st_mtim.tv_sec) < cutoff.timeIntervalSince1970 else { continue }
            unlink(file)
        }
    }
}
