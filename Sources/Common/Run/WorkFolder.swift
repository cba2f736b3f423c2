import FoundationEssentials
import Glibc

/// The work folders of runs (`upload-images.XXXXXX` in TMPDIR): each holds its owner's PID and start time, and
/// a run removes those whose owner is gone (runs killed with SIGKILL, or by a power loss, cannot clean up).
public enum WorkFolder {
    /// A process's start time (field 22 of /proc/PID/stat, counted after the command name, which may hold spaces
    /// and parentheses): with the PID, it names one process for good.
    public static func startTime(of pid: Int32) -> String? {
        guard let data = WorkFile.read("/proc/\(pid)/stat"), let close = data.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = data[(close + 1)...].split(separator: UInt8(ascii: " "))
        guard fields.count > 19 else { return nil }
        return String(decoding: fields[19], as: UTF8.self)
    }

    /// Removes the work folders beside `current` that are the user's and whose owner is gone.
    public static func removeStale(besides current: String) {
        let parent = String(current[..<(current.lastIndex(of: "/") ?? current.startIndex)])
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent.isEmpty ? "/" : parent) else { return }
        for name in names where name.hasPrefix("upload-images.") {
            let folder = "\(parent)/\(name)"
            guard folder != current, let owner = WorkFile.read("\(folder)/owner") else { continue }
            var info = stat()
            guard lstat(folder, &info) == 0, info.st_uid == getuid(), info.st_mode & S_IFMT == S_IFDIR else { continue }
            let words = String(decoding: owner, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
            guard let pid = words.first.flatMap({ Int32($0) }) else { continue }
            let recorded = words.count > 1 ? String(words[1]) : ""
            if startTime(of: pid) != recorded { try? FileManager.default.removeItem(atPath: folder) }
        }
    }
}
