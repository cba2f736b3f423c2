import FoundationEssentials
import Glibc

/// Every image to upload ends uploaded, skipped or failed with a reason: after the upload, each record of a
/// batch that has no result line gets one, failed, saying why. Batches are in the work folder: not taken yet
/// (`batches/`, or `unstarted/` after a stop), taken by a worker's pair (`lanes/LANE/`, whose death is in
/// `died/LANE`), or run on a host (`--hosts`: `batches/`, its death in `died/BATCH`). Records are matched to
/// result lines by path and key.
public struct Reconciler {
    public let work: String
    public let results: String

    public init(work: String, results: String) {
        self.work = work
        self.results = results
    }

    /// The result lines for the records without one: `fallback` is the reason for records of batches that ended
    /// normally (a batch whose stage died gives its own); `forced` is every record's reason (an interruption).
    /// `answered` is how many result lines the upload wrote, to tell quickly that none is missing.
    public func missing(fallback: String, forced: String?, expected: Int, answered: Int) -> [Data] {
        let died = Self.names(in: "\(work)/died")
        if forced == nil && answered == expected && died.isEmpty { return [] }
        let batches = batchFiles()
        guard !batches.isEmpty else { return [] }
        let seen = answeredRecords()
        var lines: [Data] = []
        for (file, lane) in batches {
            let name = String(file.split(separator: "/").last ?? "")
            var reason = forced ?? fallback
            if forced == nil, let why = [lane, name].compactMap({ $0 }).lazy.compactMap({ self.deathReason(of: $0) }).first {
                reason = "not uploaded: \(why)"
            }
            for line in WorkFile.lines(file) {
                guard var record = try? RecordCoding.decode(line), !seen.contains(Self.identity(record.path, record.key)) else { continue }
                record.status = .failed
                record.error = reason
                lines.append(RecordCoding.encode(record))
            }
        }
        return lines
    }

    /// (file, lane) of every batch file, in order.
    func batchFiles() -> [(String, String?)] {
        var files: [(String, String?)] = []
        for folder in ["batches", "unstarted"] {
            files += Self.names(in: "\(work)/\(folder)").filter { $0.hasPrefix("batch.") }.map { ("\(work)/\(folder)/\($0)", nil) }
        }
        for lane in Self.names(in: "\(work)/lanes") {
            files += Self.names(in: "\(work)/lanes/\(lane)").filter { $0.hasPrefix("batch.") }.map { ("\(work)/lanes/\(lane)/\($0)", lane) }
        }
        return files
    }

    private func deathReason(of name: String) -> String? {
        guard let data = WorkFile.read("\(work)/died/\(name)"),
              let first = data.split(separator: UInt8(ascii: "\n")).first else { return nil }
        return String(decoding: first, as: UTF8.self)
    }

    private func answeredRecords() -> Set<String> {
        var seen = Set<String>()
        let fd = open(results, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return seen }
        defer { close(fd) }
        let reader = LineReader(fd: fd)
        while let line = reader.next() {
            if let record = try? JSONDecoder().decode(Identity.self, from: line) { seen.insert(Self.identity(record.path, record.key)) }
        }
        return seen
    }

    /// What names an image in a result line.
    struct Identity: Decodable {
        var path: String
        var key: String?
    }

    static func identity(_ path: String, _ key: String?) -> String { path + "\u{0}" + (key ?? "") }

    /// The entries of a folder, sorted; none when it is missing.
    public static func names(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }
}
