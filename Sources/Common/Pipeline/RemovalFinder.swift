/// Which objects `--delete-removed` deletes: the originals under `PREFIX/original/` whose local file is gone,
/// and the thumbnails under `PREFIX/thumbnail/` that no image owns any more. A pure function of the scan's
/// records and a listing of those two folders; nothing outside them is ever a removal.
///
/// What keeps an object, whatever the listing says:
/// - a scanned record of any status names it, or would name it: its `key`, its `thumbnail_key`, and the keys its
///   `rel` maps to (a file that is present but unreadable fails without keys, and is not gone);
/// - it lies under a failed record's path (a folder that could not be read: everything in it would look gone);
/// - its path is one the scan would not have produced (`couldBeScanned`): not an image name, hidden, a NAS cache;
/// - a thumbnail that an original staying in the bucket maps to (natural or de-collided name);
/// - a key the listing may have altered (a server that ignored `encoding-type=url`).
public struct RemovalFinder {
    public let keys: KeyMapper
    /// `PREFIX/original/` and `PREFIX/thumbnail/`.
    public let originals: String
    public let thumbnails: String
    /// Whether the scan could have produced a record for `rel` were its file there. The seam for img-scan's own
    /// filters (--include, --exclude, hidden files): a key whose path the scan ignores is not removed, it stays.
    public var couldBeScanned: (String) -> Bool

    public init(prefix: String, couldBeScanned: @escaping (String) -> Bool = RemovalFinder.scannableByDefault) {
        keys = KeyMapper(prefix: prefix)
        originals = keys.originalKey(for: "")
        thumbnails = String(originals.dropLast("original/".count)) + "thumbnail/"
        self.couldBeScanned = couldBeScanned
    }

    /// An image name (`ImageScanner.imageExtensions`) in folders that are not hidden, none of its parts hidden
    /// (`.git`, `._IMG_1.jpg`), empty, or a Synology thumbnail cache (`@eaDir`). Deliberately narrower than what
    /// img-scan takes today: a hidden image whose file is gone stays in the bucket (a deletion missed), so that
    /// once img-scan skips such files by default they are never taken for removed (a deletion wrong).
    public static func scannableByDefault(_ rel: String) -> Bool {
        let parts = KeyMapper.segments(of: rel)
        guard let name = parts.last, ImageScanner.isImageName(Array(name.utf8)) else { return false }
        return !parts.contains { $0.isEmpty || $0.hasPrefix(".") || $0 == "@eaDir" }
    }

    public struct Result: Sendable {
        /// Originals first, then thumbnails (the reverse of the upload's order, so that an original in the
        /// bucket still implies its thumbnail), each in S3's key order.
        public var removals: [RemovalRecord] = []
        /// Objects kept because they lie under a path that failed in this scan.
        public var keptUnderFailures = 0
        /// Objects kept because the scan would not have produced their path.
        public var keptIgnored = 0
        /// Keys the listing may have altered, kept.
        public var uncertain: [String] = []
    }

    public enum Problem: Error, CustomStringConvertible, Equatable {
        /// A record's key is outside the folders: the scan and the pruning disagree about the prefix.
        case recordOutsidePrefix(rel: String, key: String, folder: String)
        /// Input lines that were not records: they may have stood for images that are there.
        case linesNotRecords(Int)

        public var description: String {
            switch self {
            case .recordOutsidePrefix(let rel, let key, let folder):
                return "\(rel): its key \(key) is not under \(folder): give --prefix the prefix img-scan used; nothing is known to be removed"
            case .linesNotRecords(let count):
                return "\(count == 1 ? "1 input line was" : "\(count) input lines were") not a record, so what was removed cannot be told; nothing is known to be removed"
            }
        }
    }

    /// - Parameters:
    ///   - listed: every object under `originals` and `thumbnails` (others are ignored; duplicates are fine).
    ///   - keysAreExact: every page of the listing was url-encoded.
    public func find(records: [ImageRecord], listed: [ObjectInfo], keysAreExact: Bool) throws(Problem) -> Result {
        var claims = try Claims(records: records, finder: self)
        var result = Result()
        var byKey: [ExactKey: ObjectInfo] = [:]
        for object in listed where byKey[ExactKey(object.key)] == nil { byKey[ExactKey(object.key)] = object }
        let sorted = byKey.keys.sorted().compactMap { byKey[$0] }
        for object in sorted {
            guard let rel = Self.rel(of: object.key, under: originals), !rel.isEmpty else { continue }
            if let kept = keep(object.key, rel: rel, claims: claims, exact: keysAreExact, result: &result) {
                if kept { claims.own(thumbnailsOf: rel, keys) }
            } else {
                result.removals.append(RemovalRecord(key: object.key, kind: .original, rel: rel, size: object.size))
            }
        }
        for object in sorted {
            // Only names this toolkit gives thumbnails: `REL-without-extension.jpg` or `REL.jpg`.
            guard let rel = Self.rel(of: object.key, under: thumbnails), rel.utf8.count > 4,
                  rel.utf8.suffix(4).elementsEqual(".jpg".utf8) else { continue }
            if keep(object.key, rel: rel, claims: claims, exact: keysAreExact, result: &result) == nil {
                result.removals.append(RemovalRecord(key: object.key, kind: .thumbnail, size: object.size))
            }
        }
        return result
    }

    /// nil when the object is removed; true when it stays for a reason that also keeps an original's thumbnails
    /// (claimed, unreadable, ignored, uncertain): every staying original does.
    private func keep(_ key: String, rel: String, claims: Claims, exact: Bool, result: inout Result) -> Bool? {
        if !exact && !ListPage.survivesXML(key) {
            result.uncertain.append(key)
            return true
        }
        if claims.underFailure(key) {
            result.keptUnderFailures += 1
            return true
        }
        if claims.claimed(key) { return true }
        if !couldBeScanned(rel) {
            result.keptIgnored += 1
            return true
        }
        return nil
    }

    /// `key` without `folder`, or nil when it is not under it; by bytes.
    static func rel(of key: String, under folder: String) -> String? {
        guard key.utf8.starts(with: folder.utf8) else { return nil }
        return String(decoding: Array(key.utf8.dropFirst(folder.utf8.count)), as: UTF8.self)
    }
}

/// The keys and folders the scan's records keep, by exact bytes.
private struct Claims {
    var keys: Set<ExactKey> = []
    var folders: [String] = []

    init(records: [ImageRecord], finder: RemovalFinder) throws(RemovalFinder.Problem) {
        for record in records {
            if let key = record.key {
                guard RemovalFinder.rel(of: key, under: finder.originals) != nil else {
                    throw .recordOutsidePrefix(rel: record.rel, key: key, folder: finder.originals)
                }
                keys.insert(ExactKey(key))
            }
            if let key = record.thumbnailKey {
                guard RemovalFinder.rel(of: key, under: finder.thumbnails) != nil else {
                    throw .recordOutsidePrefix(rel: record.rel, key: key, folder: finder.thumbnails)
                }
                keys.insert(ExactKey(key))
            }
            keys.insert(ExactKey(finder.keys.originalKey(for: record.rel)))
            own(thumbnailsOf: record.rel, finder.keys)
            if record.status == .failed {
                // A folder that could not be read, or anything else that failed: what lies under its path stays.
                let under = record.rel.isEmpty ? "" : record.rel + "/"
                folders += [finder.originals + under, finder.thumbnails + under]
            }
        }
    }

    mutating func own(thumbnailsOf rel: String, _ mapper: KeyMapper) {
        keys.insert(ExactKey(mapper.naturalThumbnailKey(for: rel)))
        keys.insert(ExactKey(mapper.disambiguatedThumbnailKey(for: rel)))
    }

    func claimed(_ key: String) -> Bool { keys.contains(ExactKey(key)) }

    func underFailure(_ key: String) -> Bool { folders.contains { key.utf8.starts(with: $0.utf8) } }
}
