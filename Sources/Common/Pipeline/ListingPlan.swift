/// Which part of the bucket a run lists.
/// Keys are compared as S3 compares them, by their UTF-8 bytes.
public enum ListingPlan {
    /// Every key the records look for, originals and thumbnails (extra ones included).
    public static func keys(of records: [ImageRecord]) -> [String] {
        records.flatMap { [$0.key, $0.thumbnailKey].compactMap { $0 } + ($0.extraThumbnails ?? []).map(\.key) }
    }

    /// The folder to list: the longest common folder of every key, originals and thumbnails alike (`avatar/`
    /// for a run with the default prefix), so one listing covers both in ~1 request per 1,000 objects.
    public static func folder(of records: [ImageRecord]) -> String { commonFolder(keys(of: records)) }

    /// The longest prefix of every key that ends with `/`; empty when they share no folder.
    public static func commonFolder(_ keys: [String]) -> String {
        guard var common = keys.first.map({ Array($0.utf8) }) else { return "" }
        for key in keys.dropFirst() {
            let bytes = Array(key.utf8)
            common = Array(common.prefix(zip(common, bytes).prefix(while: { $0 == $1 }).count))
        }
        guard let slash = common.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(decoding: common[...slash], as: UTF8.self)
    }
}
