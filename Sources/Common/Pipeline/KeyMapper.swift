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

    /// The thumbnail key the Python tool uses: the relative path with its extension replaced by `.jpg`.
    public func naturalThumbnailKey(for rel: String) -> String { join("thumbnail", Self.dropExtension(rel) + ".jpg") }

    /// The key kept when two images share a natural thumbnail key: the full name plus `.jpg` (`a.png.jpg`).
    public func disambiguatedThumbnailKey(for rel: String) -> String { join("thumbnail", rel + ".jpg") }

    /// Thumbnail keys for a whole scan, so that no two images share one, by relative path.
    ///
    /// The rule: when images in one folder differ only by extension (`a.jpg`, `a.png`), *each* of them keeps
    /// its extension in the thumbnail name (`a.jpg.jpg`, `a.png.jpg`); none silently overwrites another.
    /// An image whose key would still collide gets no key (nil) and is reported as failed by the caller.
    /// Keys and paths are told apart by their bytes (`ExactKey`), as S3 does: `José.jpg` in NFC and in NFD are
    /// two images with two thumbnails, not a collision.
    public func thumbnailKeys(for rels: [String]) -> (keys: [ExactKey: String], warnings: [String]) {
        var groups: [ExactKey: [String]] = [:]
        for rel in rels { groups[ExactKey(naturalThumbnailKey(for: rel)), default: []].append(rel) }
        var keys: [ExactKey: String] = [:]
        var warnings: [String] = []
        var owners: [ExactKey: String] = [:]
        for rel in rels {
            let group = groups[ExactKey(naturalThumbnailKey(for: rel))] ?? [rel]
            let key = group.count > 1 ? disambiguatedThumbnailKey(for: rel) : naturalThumbnailKey(for: rel)
            if group.count > 1 {
                let others = group.filter { ExactKey($0) != ExactKey(rel) }.joined(separator: ", ")
                warnings.append("\(rel): shares its thumbnail name with \(others); its thumbnail goes to \(key)")
            }
            if let owner = owners[ExactKey(key)] {
                warnings.append("\(rel): thumbnail key \(key) is already taken by \(owner)")
                continue
            }
            owners[ExactKey(key)] = rel
            keys[ExactKey(rel)] = key
        }
        return (keys, warnings)
    }

    /// The key of the thumbnail `spec` for the image whose 200x300 JPEG thumbnail key is `standardKey` (as
    /// `thumbnailKeys` assigned it): the same name, in the spec's folder, with the spec's extension. The
    /// names were chosen so that no two images share one; the folder and extension only depend on the spec,
    /// so no two images share a key of any spec either.
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
        guard let dot = rel.lastIndex(of: "."), !rel[dot...].contains("/") else { return rel }
        let name = rel[..<dot]
        return name.isEmpty || name.hasSuffix("/") ? rel : String(name)
    }
}
