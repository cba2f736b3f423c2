import FoundationEssentials

/// What `spaces-ls` says of each object under `PREFIX/`, page by page as the listing comes: an original (as an
/// image record that spaces-get, img-thumb and spaces-put take, its thumbnails named as img-scan names them), a
/// thumbnail (which box and format, of which image), or other.
///
/// Originals whose thumbnail name another original shares (`a.jpg`, `a.png` under stem names) fail as they do
/// in a scan, naming each other. S3 lists keys in byte order, and every key of one stem is that stem or the
/// stem, a dot and an extension, so a record waits only until the listing is past them: a few records held,
/// not the bucket. (So an original may come out a few keys after where the listing had it.)
public struct BucketListing {
    public enum Kind: String, Sendable, Encodable {
        case original, thumbnail, other
    }

    /// The keys of the prefix, and which keys are originals and thumbnails under it.
    public let keys: KeyMapper
    let scope: KeyScope
    /// Makes each original's record as img-scan makes a file's (keys, thumbnails, collisions).
    let scanner: ImageScanner
    /// `s3://BUCKET/PREFIX/original`: an original's `path` is this, a slash and its path under original/.
    let root: String
    /// Only originals are written (`--originals`).
    public var originalsOnly = false

    /// Originals whose stem group may still grow, each group by its stem's key (`PREFIX/original/a/b`), at most a
    /// few at a time.
    private var waiting: [(stem: String, records: [(rel: String, object: ObjectInfo)])] = []
    /// What was written of each kind (`--debug`'s summary).
    public private(set) var counts: [Kind: Int] = [:]
    /// Originals that failed: their thumbnail name is another original's.
    public private(set) var failedCount = 0

    public init(bucket: String, prefix: String, rules: ScanRules = ScanRules(), thumbnails: [ThumbnailSpec] = [.standard],
                names: KeyMapper.ThumbnailNames = .stem) {
        keys = KeyMapper(prefix: prefix)
        scope = KeyScope(prefix: prefix, rules: rules)
        scanner = ImageScanner(root: "", prefix: prefix, rules: rules, thumbnails: thumbnails, names: names)
        root = "s3://\(bucket)/" + String(keys.originalKey(for: "").dropLast())
    }

    /// The folder to list: the whole prefix, or only its originals.
    public var listedPrefix: String {
        originalsOnly ? keys.originalKey(for: "") : String(keys.originalKey(for: "").dropLast("original/".count))
    }

    /// The lines for the next objects of the listing, in order; some originals wait for the keys after them.
    public mutating func lines(for objects: [ObjectInfo]) -> [Data] {
        var out: [Data] = []
        for object in objects {
            out += closingGroups(before: object.key)
            if let rel = scope.originalRel(object.key), scope.rules.admits(rel) {
                // Every key of this stem begins with this: the original's key without its extension.
                let stem = keys.originalKey(for: scanner.thumbnailNames == .stem ? KeyMapper.dropExtension(rel) : rel)
                if let index = waiting.firstIndex(where: { $0.stem.utf8.elementsEqual(stem.utf8) }) {
                    waiting[index].records.append((rel, object))
                } else {
                    waiting.append((stem, [(rel, object)]))
                }
            } else if !originalsOnly {
                out.append(line(describing: object))
            }
        }
        return out
    }

    /// The lines still waiting, at the end of the listing.
    public mutating func finish() -> [Data] { closingGroups(before: nil) }

    /// The groups no later key can join (S3 lists in byte order): those `key` is past. The end of the listing
    /// closes them all.
    private mutating func closingGroups(before key: String?) -> [Data] {
        let closing = waiting.filter { key.map(Self.isPast(stem: $0.stem)) ?? true }
        guard !closing.isEmpty else { return [] }
        waiting.removeAll { key.map(Self.isPast(stem: $0.stem)) ?? true }
        return closing.flatMap { records(of: $0.records) }
    }

    /// Whether `key` comes after every key of the stem `stem`: those are the stem itself and the stem, a dot and
    /// an extension, so a key that does not begin with the stem, or goes on with a byte above the dot (`a/`
    /// after `a.jpg`), is past them.
    static func isPast(stem: String) -> (String) -> Bool {
        { key in
            guard key.utf8.starts(with: stem.utf8) else { return true }
            guard let next = key.utf8.dropFirst(stem.utf8.count).first else { return false }
            return next > UInt8(ascii: ".")
        }
    }

    private mutating func records(of group: [(rel: String, object: ObjectInfo)]) -> [Data] {
        group.map { member in
            let others = group.filter { !$0.rel.utf8.elementsEqual(member.rel.utf8) }.map(\.rel)
            let collision = others.isEmpty ? nil : KeyMapper.sharedKeyReason(
                key: keys.thumbnailKey(for: member.rel, names: scanner.thumbnailNames), with: others.joined(separator: ", "),
                names: scanner.thumbnailNames)
            var record = scanner.record(rel: member.rel, under: root, size: member.object.size,
                                        mtime: member.object.lastModified.flatMap(S3Timestamp.parseISO8601) ?? 0, collision: collision)
            if collision != nil { failedCount += 1 }
            record.fromBucket = true
            record.etag = member.object.etag
            record.otherFields = [JSONObjectFields.Member(name: "kind", value: Array("\"original\"".utf8))]
            counts[.original, default: 0] += 1
            return RecordCoding.encode(record)
        }
    }

    /// A thumbnail's or another object's line: its key, size, ETag and time; a thumbnail's box and format
    /// (`spec`) and the path of its image under original/ without an extension (stem names) or whole (`of`).
    mutating func line(describing object: ObjectInfo) -> Data {
        var listed = ListedObject(key: object.key, size: object.size, etag: object.etag, kind: .other,
                                  mtime: object.lastModified.flatMap(S3Timestamp.parseISO8601))
        if let thumbnail = scope.thumbnail(object.key), let spec = Self.spec(box: thumbnail.box, rel: thumbnail.rel) {
            (listed.kind, listed.spec, listed.of) = (.thumbnail, spec.description, thumbnail.stem)
        }
        counts[listed.kind, default: 0] += 1
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(listed)) ?? Data()
    }

    /// A line of spaces-ls for an object that is no original.
    struct ListedObject: Encodable {
        var key: String
        var size: Int64
        var etag: String
        var kind: Kind
        var mtime: Int64?
        var spec: String?
        var of: String?
    }

    /// The thumbnail a key in the folder `box` with the name `rel` is: `thumbnail` is 200x300, `thumbnail-WxH` WxH,
    /// the format by the extension.
    static func spec(box: Substring, rel: String) -> ThumbnailSpec? {
        guard let size = KeyScope.box(ofFolder: box), let dot = rel.lastIndex(of: "."),
              let format = ThumbnailSpec.Format(name: String(rel[rel.index(after: dot)...])) else { return nil }
        return ThumbnailSpec(width: size.width, height: size.height, format: format)
    }
}
