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
    /// `PREFIX/original/` and `PREFIX/thumbnail/`; thumbnails of other boxes are in `PREFIX/thumbnail-WxH/`
    /// (`ThumbnailSpec.folder`), and every thumbnail folder is under `folder`, `PREFIX/`.
    public let originals: String
    public let thumbnails: String
    public let folder: String
    /// Whether the scan could have produced a record for `rel` were its file there. The seam for img-scan's own
    /// filters (--include, --exclude, hidden files): a key whose path the scan ignores is not removed, it stays.
    public var couldBeScanned: (String) -> Bool
    /// Which keys are thumbnails this toolkit names (`KeyScope.thumbnail`).
    let scope: KeyScope
    /// The records are the bucket's own originals (`spaces-ls --originals`, for `--prune-orphans`): no original is
    /// ever a removal (one listed here and not there is new, not gone), and each keeps its thumbnails; only
    /// thumbnails that no original owns are removed.
    public var originalsStay = false

    public init(prefix: String, couldBeScanned: @escaping (String) -> Bool = RemovalFinder.scannableByDefault) {
        keys = KeyMapper(prefix: prefix)
        scope = KeyScope(prefix: prefix)
        originals = keys.originalKey(for: "")
        folder = String(originals.dropLast("original/".count))
        thumbnails = folder + "thumbnail/"
        self.couldBeScanned = couldBeScanned
    }

    /// What img-scan takes with its default rules (`ScanRules.admits`): an image name, in no hidden folder or
    /// NAS cache, not hidden, not an AppleDouble file.
    public static func scannableByDefault(_ rel: String) -> Bool { ScanRules().admits(rel) }

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
        /// Objects in the pruned folders (originals, and thumbnails by the names this toolkit gives), removals included.
        public var present = 0
        /// Images the scan found: records with a key, of any status.
        public var scannedImages = 0

        /// The removals as they go to `spaces-put --delete`: each marked refused when `prune` refuses them all.
        public func records(under prune: PruneGuard) -> (records: [RemovalRecord], refusal: String?) {
            guard let refusal = prune.refusal(removing: removals.count, present: present, scannedImages: scannedImages) else {
                return (removals, nil)
            }
            return (removals.map { var record = $0; record.refused = refusal; return record }, refusal)
        }
    }

    public enum Problem: Error, CustomStringConvertible, Equatable {
        /// A record's key is outside the folders: the scan and the pruning disagree about the prefix.
        case recordOutsidePrefix(rel: String, key: String, folder: String)
        /// Input lines that were not records: they may have stood for images that are there.
        case linesNotRecords(Int)
        /// The scan's stream was cut, or the scan stopped on a fatal error: the rest of the folder is unknown.
        case scanIncomplete(String)

        public var description: String {
            switch self {
            case .recordOutsidePrefix(let rel, let key, let folder):
                return "\(rel): its key \(key) is not under \(folder): give --prefix the prefix img-scan used; nothing is known to be removed"
            case .scanIncomplete(let why):
                return "the scan is incomplete (\(why)); nothing is known to be removed"
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
        result.scannedImages = records.count { $0.key != nil }
        var byKey: [ExactKey: ObjectInfo] = [:]
        for object in listed where byKey[ExactKey(object.key)] == nil { byKey[ExactKey(object.key)] = object }
        let sorted = byKey.keys.sorted().compactMap { byKey[$0] }
        for object in sorted {
            guard let rel = Self.rel(of: object.key, under: originals), !rel.isEmpty else { continue }
            result.present += 1
            if let kept = originalsStay ? true : keep(object.key, rel: rel, claims: claims, exact: keysAreExact, result: &result) {
                if kept { claims.own(thumbnailsOf: rel, keys) }
            } else {
                result.removals.append(RemovalRecord(key: object.key, kind: .original, rel: rel, size: object.size))
            }
        }
        for object in sorted {
            // Only names this toolkit gives thumbnails: `REL-without-extension.EXT` or `REL.EXT`, in a thumbnail folder.
            guard let thumbnail = thumbnailName(object.key) else { continue }
            result.present += 1
            if keep(object.key, rel: thumbnail.rel, stem: thumbnail.stem, claims: claims, exact: keysAreExact, result: &result) == nil {
                result.removals.append(RemovalRecord(key: object.key, kind: .thumbnail, size: object.size))
            }
        }
        return result
    }

    /// nil when the object is removed; true when it stays for a reason that also keeps an original's thumbnails
    /// (claimed, unreadable, ignored, uncertain): every staying original does.
    private func keep(_ key: String, rel: String, stem: String? = nil, claims: Claims, exact: Bool, result: inout Result) -> Bool? {
        if !exact && !ListPage.survivesXML(key) {
            result.uncertain.append(key)
            return true
        }
        if claims.underFailure(rel: rel) {
            result.keptUnderFailures += 1
            return true
        }
        if claims.claimed(key) || stem.map(claims.claimed(stem:)) == true { return true }
        if !couldBeScanned(rel) {
            result.keptIgnored += 1
            return true
        }
        return nil
    }

    /// A thumbnail key's parts: `PREFIX/thumbnail/a/b.webp` is `a/b.webp` with the stem `a/b`, in a thumbnail
    /// folder some `--thumbnails` can make, with the extension of a thumbnail format; nil for any other key.
    func thumbnailName(_ key: String) -> (rel: String, stem: String)? {
        scope.thumbnail(key).map { ($0.rel, $0.stem) }
    }

    /// `key` without `folder`, or nil when it is not under it; by bytes.
    static func rel(of key: String, under folder: String) -> String? { KeyScope.rel(of: key, under: folder) }
}

/// The keys and folders the scan's records keep, by exact bytes, each also in the form a server may have stored
/// it under (`KeyMapper.storedForms`): a key uploaded as `x\y.jpg` and listed as `x/y.jpg` is still this image's.
private struct Claims {
    var keys: Set<ExactKey> = []
    /// Thumbnail names without their extension, in any thumbnail folder (`own(thumbnailsOf:)`).
    var stems: Set<ExactKey> = []
    /// The relative paths (`a/locked/`) of what failed in the scan; empty for a failure at the root.
    var failedFolders: [String] = []

    init(records: [ImageRecord], finder: RemovalFinder) throws(RemovalFinder.Problem) {
        for record in records {
            if let key = record.key {
                guard RemovalFinder.rel(of: key, under: finder.originals) != nil else {
                    throw .recordOutsidePrefix(rel: record.rel, key: key, folder: finder.originals)
                }
                claim(key)
            }
            for key in [record.thumbnailKey].compactMap({ $0 }) + (record.extraThumbnails ?? []).map(\.key) {
                guard finder.thumbnailName(key) != nil else {
                    throw .recordOutsidePrefix(rel: record.rel, key: key, folder: finder.thumbnails)
                }
                claim(key)
            }
            claim(finder.keys.originalKey(for: record.rel))
            own(thumbnailsOf: record.rel, finder.keys)
            if record.status == .failed && record.key == nil {
                // A failure without keys (a folder that could not be read, a link to nothing, an unreadable name)
                // may stand for a folder: what lies under its path stays. An image that failed has keys, and
                // is no folder.
                for rel in KeyMapper.storedForms(of: record.rel) { failedFolders.append(rel.isEmpty ? "" : rel + "/") }
            }
        }
    }

    /// Every thumbnail an image may have, of any box and format: those named by its path without its
    /// extension (`a/b`) and with it (`a/b.png`, the de-collided name).
    mutating func own(thumbnailsOf rel: String, _ mapper: KeyMapper) {
        for form in KeyMapper.storedForms(of: KeyMapper.dropExtension(rel)) + KeyMapper.storedForms(of: rel) {
            stems.insert(ExactKey(form))
        }
    }

    mutating func claim(_ key: String) {
        for form in KeyMapper.storedForms(of: key) { keys.insert(ExactKey(form)) }
    }

    func claimed(_ key: String) -> Bool { keys.contains(ExactKey(key)) }
    func claimed(stem: String) -> Bool { stems.contains(ExactKey(stem)) }

    /// Whether `rel` (an original's, or a thumbnail's in any thumbnail folder) lies under a path that failed.
    func underFailure(rel: String) -> Bool { failedFolders.contains { rel.utf8.starts(with: $0.utf8) } }
}
