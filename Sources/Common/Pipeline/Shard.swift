/// One of N parts of a scan (`img-scan --shard I/N`): the images whose relative path (their key without
/// `PREFIX/original/`) hashes to it. The same file falls in the same part on every machine, in every run and
/// whatever else the folder holds or whatever `--prefix` says, so N hosts that each scan their part of a shared
/// folder take every image exactly once between them.
///
/// The hash is 64-bit FNV-1a (<http://www.isthe.com/chongo/tech/comp/fnv/>) of the path's UTF-8 bytes, part I
/// taking the paths whose hash modulo N is I - 1. FNV-1a is a few lines anyone can write again (in awk, say,
/// to tell which host an image went to), and spreads paths that differ in a digit or two as well as any.
public struct Shard: Equatable, Sendable, CustomStringConvertible {
    /// From 1 to `count`.
    public let index: UInt64
    public let count: UInt64

    /// The largest N taken: more parts than hosts anyone runs, well within what `%` spreads evenly.
    public static let maximumCount: UInt64 = 1_000_000

    /// `I/N` with 1 <= I <= N <= 1,000,000; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } && $0.count <= 7 }),
              let index = UInt64(parts[0]), let count = UInt64(parts[1]),
              count >= 1, count <= Self.maximumCount, index >= 1, index <= count
        else { return nil }
        self.index = index
        self.count = count
    }

    /// Why `text` is not a shard, as a usage error names it; nil when it is one.
    public static func problem(with text: String) -> String? {
        Shard(parsing: text) == nil
            ? "--shard must be I/N, part I of N with 1 <= I <= N <= \(maximumCount) (as 1/4; got '\(text)')" : nil
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the image at `rel` (its path relative to the scanned folder) is in this part.
    public func contains(rel: String) -> Bool { Self.fnv1a(rel.utf8) % count == index - 1 }

    /// 64-bit FNV-1a: for each byte, XOR it into the hash, then multiply by the FNV prime (wrapping).
    public static func fnv1a(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }
}
