/// Whether an image's thumbnail key is also that of another original already in the bucket: with stem names
/// (`--thumbnail-names stem`), `a.png`'s thumbnail is `a.jpg`, which is also the thumbnail of an `a.jpg` whose
/// file is gone from the folder but whose original is still stored. Uploading `a.png` would replace that
/// original's thumbnail with another image's, and a later run would skip the restored `a.jpg` with the wrong
/// thumbnail; so `spaces-exists` fails the record instead, naming the other original.
///
/// Only the record's own folder in the bucket can hold such an original: `PREFIX/original/a.` followed by an
/// extension the scan takes (any case), and nothing else.
public struct SharedThumbnail: Sendable {
    /// The extensions of the originals that count, lowercased: every one img-scan takes by default and the
    /// scan's own (`--extensions`): an `a.jpg` an earlier run uploaded still owns its thumbnail when this run
    /// takes only PNGs.
    public let extensions: Set<String>

    public init(rules: ScanRules = ScanRules()) { extensions = ImageScanner.imageExtensions.union(rules.extensions) }

    /// The start that every key sharing `record`'s thumbnail has (`PREFIX/original/a.` for `a.png`), when its
    /// thumbnail is named by stem; nil for full names, or a record without keys.
    public func siblingPrefix(of record: ImageRecord) -> String? {
        let rel = record.rel.utf8
        guard let key = record.key, let thumbnailKey = record.thumbnailKey, key.utf8.count >= rel.count,
              ExactKey.bytes(of: key, endWith: record.rel), let dot = KeyMapper.extensionDot(in: rel) else { return nil }
        // Worked out by bytes, without a string for the stem or the thumbnail's: this runs twice for every image.
        let thumbnail = thumbnailKey.utf8
        let thumbnailStem = thumbnail[..<(KeyMapper.extensionDot(in: thumbnail) ?? thumbnail.endIndex)]
        let namedInFull = thumbnailStem.count > rel.count && thumbnailStem.reversed().starts(with: rel.reversed())
            && thumbnailStem.dropLast(rel.count).last == UInt8(ascii: "/")
        guard !namedInFull else { return nil }
        // The key ends with `rel`: its folder and the stem are its bytes up to the extension's dot, which is kept.
        let length = key.utf8.count - rel.count + rel.distance(from: rel.startIndex, to: dot) + 1
        return String(decoding: key.utf8.prefix(length), as: UTF8.self)
    }

    /// The first of `keys` (keys starting with `siblingPrefix(of: record)`) that is another image's original
    /// with the same stem, or nil.
    public func other(of record: ImageRecord, among keys: some Sequence<String>) -> String? {
        siblingPrefix(of: record).flatMap { other(of: record, under: $0, among: keys) }
    }

    /// `other(of:among:)` for a record whose `siblingPrefix` is known: each record's prefix is worked out once.
    public func other(of record: ImageRecord, under prefix: String, among keys: some Sequence<String>) -> String? {
        guard let own = record.key else { return nil }
        for key in keys where key.utf8.starts(with: prefix.utf8) && !key.utf8.elementsEqual(own.utf8) {
            let ext = String(decoding: Array(key.utf8.dropFirst(prefix.utf8.count)), as: UTF8.self)
            if !ext.isEmpty, !ext.contains("/"), !ext.contains("."), extensions.contains(ext.lowercased()) { return key }
        }
        return nil
    }

    /// `record` failed, with the reason, when `other` is set; unchanged otherwise.
    public static func failing(_ record: ImageRecord, sharedWith other: String?) -> ImageRecord {
        guard let other, let thumbnailKey = record.thumbnailKey else { return record }
        var failed = record
        failed.status = .failed
        failed.error = KeyMapper.sharedKeyReason(key: thumbnailKey, withOriginal: other)
        return failed
    }
}
