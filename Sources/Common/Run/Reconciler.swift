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

    /// The result lines for the records without one, handed to `emit` a batch at a time (memory holds one batch,
    /// and the path and key of the records of batches that were taken, which a worker may have answered; not of
    /// every result, which are as many as the library's images): `fallback` is the reason
    /// for records of batches that ended normally (a batch whose stage died gives its own); `forced` is every
    /// record's reason (an interruption). `answered` is how many result lines the upload wrote, to tell quickly
    /// that none is missing. Batches in `unstarted/` were never taken, so none of their records was answered,
    /// unless `hosts` ran them (parallel takes batches without moving them). `emit` returns false to stop (a
    /// write that failed).
    public func reconcile(fallback: String, forced: String?, expected: Int, answered: Int, hosts: Bool,
                          emit: ([Data]) -> Bool) {
        let died = Self.names(in: "\(work)/died")
        if forced == nil && answered == expected && died.isEmpty { return }
        let batches = batchFiles()
        // A batch in `unstarted/` was never taken, unless `hosts` ran it: none of its records was answered.
        let taken = { (file: String) in hosts || !file.hasPrefix("\(self.work)/unstarted/") }
        var seen: Set<String>?
        for (file, lane) in batches {
            let name = String(file.split(separator: "/").last ?? "")
            var reason = forced ?? fallback
            if forced == nil, let why = [lane, name].compactMap({ $0 }).lazy.compactMap({ self.deathReason(of: $0) }).first {
                reason = "not uploaded: \(why)"
            }
            let untouched = !taken(file)
            if !untouched && seen == nil { seen = answeredRecords(of: batches.map(\.0).filter(taken)) }
            var lines: [Data] = []
            WorkFile.eachLine(of: file) { line in
                guard var record = try? RecordCoding.decode(line) else { return }
                if !untouched, seen?.contains(Self.identity(record.path, record.key)) == true { return }
                record.status = .failed
                record.error = reason
                lines.append(RecordCoding.encode(record))
            }
            if !lines.isEmpty && !emit(lines) { return }
        }
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

    /// Which records of the batch files `taken` have a result line.
    private func answeredRecords(of taken: [String]) -> Set<String> {
        let decoder = JSONDecoder()
        func identity(_ line: Data) -> String? {
            (try? decoder.decode(Identity.self, from: line)).map { Self.identity($0.path, $0.key) }
        }
        var asked = Set<String>()
        for file in taken { WorkFile.eachLine(of: file) { line in identity(line).map { _ = asked.insert($0) } } }
        var seen = Set<String>()
        WorkFile.eachLine(of: results) { line in
            if let answered = identity(line), asked.contains(answered) { seen.insert(answered) }
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
