import FoundationEssentials
import Glibc

/// The images an earlier run found broken (img-thumb refused their bytes: `reason` "broken image"): a resume does
/// not try them again while their file is unchanged (same path, size and modification time), unless
/// --retry-failed. They are the last results file's in the run's folder; its other lines are not kept (memory
/// stays that of the broken images alone).
public struct EarlierFailures: Sendable {
    /// The `reason` of a record whose image img-thumb refused for its bytes.
    public static let brokenImage = "broken image"
    /// The `reason` of such a record not tried again by a later run: still broken as far as anyone knows.
    public static let unchanged = "broken image, unchanged since an earlier run"

    public struct Identity: Decodable, Hashable, Sendable {
        public var path: String
        public var size: Int64?
        public var mtime: Int64?
    }

    /// Each broken image's identity, with its error.
    public private(set) var broken: [Identity: String] = [:]

    public init() {}

    /// The failures of the results file at `path` (none when it cannot be read).
    public init(results path: String) {
        let decoder = JSONDecoder()
        WorkFile.eachLineBytes(of: path) { line in
            // Most lines are not failures: a look at the bytes first, the decoder only for those that may be.
            guard line.count < 1 << 20, Self.mentionsBroken(line), let record = try? decoder.decode(ResultFields.self, from: Data(line)),
                  record.status == "failed", record.reason == Self.brokenImage || record.reason == Self.unchanged,
                  let path = record.path else { return }
            broken[Identity(path: path, size: record.size, mtime: record.mtime)] = record.error ?? "failed"
        }
    }

    static let brokenMark = Array(#""reason":"broken image"#.utf8)

    /// Whether the mark is in the line: each `"` found by memchr, the rest compared by memcmp.
    static func mentionsBroken(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = line.baseAddress, line.count >= brokenMark.count else { return false }
        return brokenMark.withUnsafeBufferPointer { mark in
            var at = 0
            let last = line.count - mark.count
            while at <= last, let found = memchr(base + at, Int32(mark[0]), last - at + 1) {
                at = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                if memcmp(base + at, mark.baseAddress!, mark.count) == 0 { return true }
                at += 1
            }
            return false
        }
    }

    static func mentionsBroken(_ line: Data) -> Bool {
        line.withUnsafeBytes { mentionsBroken($0.bindMemory(to: UInt8.self)) }
    }

    /// The error of an earlier run for this image, when it was found broken and its file is unchanged.
    public func unchangedFailure(of identity: Identity) -> String? { broken[identity] }

    /// The newest results file of an earlier run in `folder` (by name: they are named by their start time), not
    /// `current`'s.
    public static func latestResults(in folder: String, besides current: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let results = names.filter { $0.hasPrefix("upload_results_") && $0.hasSuffix(".jsonl") }
            .map { "\(folder)/\($0)" }.filter { $0 != current }
        return results.max { sortKey($0) < sortKey($1) }
    }

    /// `upload_results_20261207_010413_2.jsonl` after `..._010413.jsonl`: the stamp, then the suffix's number.
    static func sortKey(_ path: String) -> (String, Int) {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let stem = name.dropFirst("upload_results_".count).dropLast(".jsonl".count)
        let parts = stem.split(separator: "_")
        let stamp = parts.prefix(2).joined(separator: "_")
        return (stamp, parts.count > 2 ? Int(parts[2]) ?? 0 : 1)
    }
}
