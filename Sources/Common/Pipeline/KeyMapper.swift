/// Maps an image's path relative to the scanned folder to its keys in the bucket:
/// `PREFIX/original/REL` and `PREFIX/thumbnail/REL-without-extension.jpg`.
public struct KeyMapper: Sendable {
    /// The Python tool's default, and every command's.
    public static let defaultPrefix = "avatar"

    /// The key, and the other forms a server may store it under: SeaweedFS turns `\` into `/` (`x\y.jpg` is
    /// listed as `x/y.jpg`). A prune keeps every form of a key this run scanned, uploaded or found.
    public static func storedForms(of key: String) -> [String] {
        guard key.contains("\\") else { return [key] }
        return [key, String(key.map { $0 == "\\" ? "/" : $0 })]
    }

    /// The prefix without leading or trailing slashes; empty puts `original/` at the bucket's root.
    public let prefix: String

    public init(prefix: String) {
        self.prefix = Self.segments(of: prefix).filter { !$0.isEmpty }.joined(separator: "/")
    }

    /// Why `prefix` cannot start this toolkit's keys, or nil when it can: folder names joined by single
    /// slashes (one leading or trailing slash is dropped), none of them `.` or `..`, which S3 refuses in keys
    /// (and `a//b` would silently become another key than the one asked for). Empty means the bucket's root.
    public static func problem(withPrefix prefix: String) -> String? {
        var segments = segments(of: prefix)
        if segments.count > 1 && segments.first == "" { segments.removeFirst() }
        if segments.count > 1 && segments.last == "" { segments.removeLast() }
        guard segments != [""] else { return nil }
        guard segments.allSatisfy({ !$0.isEmpty && ExactKey($0) != "." && ExactKey($0) != ".." }) else {
            return "--prefix must be folder names joined by single slashes, none of them . or .. (got '\(prefix)')"
        }
        return nil
    }

    /// The parts of `text` between slashes, split at every `/` scalar: a slash followed by a combining mark is
    /// one `Character` (`/\u{301}`), which `String.split` would not split at, yet it is still a slash in a key.
    static func segments(of text: String) -> [String] {
        text.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
    }

    public func originalKey(for rel: String) -> String { join("original", rel) }

    /// The prefix under which `key` is the original of `rel` (`photos/original/a/b.jpg`, `a/b.jpg`: `photos`), or
    /// nil when it is not `PREFIX/original/REL`, or when that prefix lies inside another's folders
    /// (`avatar/original/old`: its thumbnails would be written among avatar's originals).
    public static func prefix(ofOriginal key: String, rel: String) -> String? {
        let suffix = "original/" + rel
        guard !rel.isEmpty, key.utf8.count >= suffix.utf8.count, ExactKey.bytes(of: key, endWith: suffix) else { return nil }
        let prefix = String(decoding: key.utf8.dropLast(suffix.utf8.count), as: UTF8.self)
        guard prefix.isEmpty || prefix.hasSuffix("/"), problem(withPrefix: prefix) == nil, insideFolders(prefix) == nil else { return nil }
        return prefix
    }

    /// The folder of the toolkit's a prefix names (`original`, `thumbnail`, `thumbnail-400x600`), when it does: such a
    /// prefix is inside another prefix's folders, not a prefix of its own.
    public static func insideFolders(_ prefix: String) -> String? {
        segments(of: prefix).first { $0 == "original" || KeyScope.isThumbnailFolder(Substring($0)) }
    }

    /// How an image's thumbnail is named from its path: the one rule for a prefix, chosen by `--thumbnail-names`.
    /// Either way a thumbnail key is a function of its own image's path only: adding, removing or changing one
    /// image never changes another's keys.
    public enum ThumbnailNames: String, CaseIterable, Sendable {
        /// The Python tool's: the path with its extension replaced by `.jpg` (`a/b.png` → `a/b.jpg`). Images in one
        /// folder that differ only by extension (`a.jpg`, `a.png`, `a.JPG`) would share a key: they fail instead.
        case stem
        /// The whole path plus `.jpg` (`a/b.png` → `a/b.png.jpg`): never shared. The names earlier versions gave
        /// only to images whose stems collided.
        case full
    }

    /// The thumbnail key the Python tool uses: the relative path with its extension replaced by `.jpg`.
    public func naturalThumbnailKey(for rel: String) -> String { join("thumbnail", Self.dropExtension(rel) + ".jpg") }

    /// The 200x300 JPEG thumbnail key of `rel` under `names`.
    public func thumbnailKey(for rel: String, names: ThumbnailNames) -> String {
        switch names {
        case .stem: naturalThumbnailKey(for: rel)
        case .full: join("thumbnail", rel + ".jpg")
        }
    }

    /// Thumbnail keys for a whole scan, by relative path: each image's own (`thumbnailKey(for:names:)`), except
    /// that images sharing one get none, and a reason each (naming the others) in `failures`: no image's
    /// thumbnail is ever stored under a key another image also maps to, and a collision is never settled by
    /// which image happens to be there. Paths are told apart by their bytes (`ExactKey`), as S3 does: `José.jpg`
    /// in NFC and in NFD are two images with two thumbnails, not a collision.
    public func thumbnailKeys(for rels: [String], names: ThumbnailNames = .stem) -> (keys: [ExactKey: String], failures: [ExactKey: String]) {
        let failures = sharedThumbnailKeys(among: rels, names: names)
        var keys: [ExactKey: String] = [:]
        for rel in rels where failures[ExactKey(rel)] == nil { keys[ExactKey(rel)] = thumbnailKey(for: rel, names: names) }
        return (keys, failures)
    }

    /// The images of `rels` whose thumbnail key another one shares, each with its reason; the rest keep their
    /// own (`thumbnailKey(for:names:)`). Holds a count per key, and names only for the keys that are shared.
    public func sharedThumbnailKeys(among rels: [String], names: ThumbnailNames) -> [ExactKey: String] {
        let keys = rels.map { ExactKey(thumbnailKey(for: $0, names: names)) }
        var counts: [ExactKey: Int] = [:]
        for key in keys { counts[key, default: 0] += 1 }
        var groups: [ExactKey: [String]] = [:]
        for (rel, key) in zip(rels, keys) where counts[key, default: 0] > 1 { groups[key, default: []].append(rel) }
        var failures: [ExactKey: String] = [:]
        for (key, group) in groups {
            for rel in group {
                let others = group.filter { ExactKey($0) != ExactKey(rel) }.joined(separator: ", ")
                failures[ExactKey(rel)] = Self.sharedKeyReason(key: key.text, with: others, names: names)
            }
        }
        return failures
    }

    /// Why an image is not uploaded when its thumbnail key is also `others`' (images beside it in the scan).
    public static func sharedKeyReason(key: String, with others: String, names: ThumbnailNames) -> String {
        let remedy = names == .stem ? "rename one, or give every image its full name with --thumbnail-names full" : "rename one"
        return "its thumbnail key \(key) is also that of \(others), so none of them is uploaded: \(remedy)"
    }

    /// Why an image is not uploaded when its thumbnail key is also that of `original`, an object in the bucket
    /// whose file was not scanned: uploading would replace that original's thumbnail with another image's.
    public static func sharedKeyReason(key: String, withOriginal original: String) -> String {
        "its thumbnail key \(key) is also that of \(original), which is in the bucket, so it is not uploaded: "
            + "delete that original (--delete-removed does, when its file is gone), or give every image its full name with --thumbnail-names full"
    }

    /// The key of the thumbnail `spec` for the image whose 200x300 JPEG thumbnail key is `standardKey` (as
    /// `thumbnailKeys` assigned it): the same name, in the spec's folder, with the spec's extension. No two
    /// images share a name; the folder and extension only depend on the spec, so no two share a key of any spec.
    public func thumbnailKey(_ standardKey: String, for spec: ThumbnailSpec) -> String {
        let folder = join("thumbnail", "")
        guard spec != .standard, standardKey.hasPrefix(folder), standardKey.hasSuffix(".jpg") else { return standardKey }
        let stem = standardKey.dropFirst(folder.count).dropLast(".jpg".count)
        return join(spec.folder, stem + "." + spec.format.fileExtension)
    }

    private func join(_ folder: String, _ rel: String) -> String {
        prefix.isEmpty ? "\(folder)/\(rel)" : "\(prefix)/\(folder)/\(rel)"
    }

    static func dropExtension(_ rel: String) -> String {
        guard let dot = extensionDot(in: rel.utf8) else { return rel }
        return String(rel[..<dot])
    }

    /// Where the extension `dropExtension` drops starts (its dot), or nil when there is none: a name that starts
    /// with its only dot (`.hidden`) has none. By bytes: `.` and `/` are single bytes in UTF-8, never part of
    /// another character.
    static func extensionDot<Bytes: BidirectionalCollection<UInt8>>(in bytes: Bytes) -> Bytes.Index? {
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), !bytes[dot...].contains(UInt8(ascii: "/")),
              dot != bytes.startIndex, bytes[bytes.index(before: dot)] != UInt8(ascii: "/") else { return nil }
        return dot
    }
}
