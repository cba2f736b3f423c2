/// The keys this toolkit may write or delete under a prefix: the one place that says so, for `spaces-put`'s
/// uploads and `--delete` alike.
///
/// - An original is `PREFIX/original/REL`, REL a path of non-empty names.
/// - A thumbnail is `PREFIX/thumbnail/STEM.EXT` or `PREFIX/thumbnail-WxH/STEM.EXT`: a box some `--thumbnails` can
///   make (each side within `ThumbnailSpec.sides`, written as `ThumbnailSpec` writes it, 200x300 only as
///   `thumbnail/`), the extension of a thumbnail format, and a STEM that is an image's path with or without its
///   extension.
/// - A deletion also needs the scan's rules (`ScanRules.admits`) to take the image's path: a key that no scan
///   makes (`notes.txt`, `.hidden.jpg`, `@eaDir/x.jpg`, `._x.jpg`) is never deleted.
public struct KeyScope: Sendable {
    public let mapper: KeyMapper
    /// `PREFIX/original/`, and `PREFIX/` where every thumbnail folder is.
    public let originals: String
    public let folder: String
    public var rules: ScanRules

    public init(prefix: String, rules: ScanRules = ScanRules()) {
        mapper = KeyMapper(prefix: prefix)
        originals = mapper.originalKey(for: "")
        folder = String(originals.dropLast("original/".count))
        self.rules = rules
    }

    /// The image path of an original's key, when it is one: under `PREFIX/original/`, of non-empty names.
    public func originalRel(_ key: String) -> String? {
        guard let rel = Self.rel(of: key, under: originals), !rel.isEmpty,
              !KeyMapper.segments(of: rel).contains(where: \.isEmpty) else { return nil }
        return rel
    }

    /// A thumbnail key's parts, when it is one (`PREFIX/thumbnail-400x600/a/b.webp`: the box, `a/b.webp`, `a/b`).
    public func thumbnail(_ key: String) -> (box: Substring, rel: String, stem: String)? {
        guard let inside = Self.rel(of: key, under: folder), let slash = inside.firstIndex(of: "/") else { return nil }
        let box = inside[..<slash]
        guard Self.isThumbnailFolder(box) else { return nil }
        let rel = String(inside[inside.index(after: slash)...])
        guard !KeyMapper.segments(of: rel).contains(where: \.isEmpty), let dot = rel.lastIndex(of: "."),
              rel[dot...].count > 1,
              ThumbnailSpec.Format.allCases.contains(where: { "." + $0.fileExtension == rel[dot...] }) else { return nil }
        return (box, rel, String(rel[..<dot]))
    }

    /// `thumbnail`, or `thumbnail-WxH` for a box other than 200x300 that `--thumbnails` can ask for.
    public static func isThumbnailFolder(_ name: Substring) -> Bool { box(ofFolder: name) != nil }

    /// The box of a thumbnail folder's thumbnails, as `ThumbnailSpec.folder` names it: `thumbnail` 200x300,
    /// `thumbnail-WxH` WxH; nil for any other name.
    public static func box(ofFolder name: Substring) -> (width: Int, height: Int)? {
        let standard = ThumbnailSpec.standard
        if name == "thumbnail" { return (standard.width, standard.height) }
        guard name.hasPrefix("thumbnail-") else { return nil }
        let sides = name.dropFirst("thumbnail-".count).split(separator: "x", omittingEmptySubsequences: false)
        guard sides.count == 2, let width = Int(sides[0]), let height = Int(sides[1]),
              ThumbnailSpec.sides.contains(width), ThumbnailSpec.sides.contains(height),
              ThumbnailSpec(width: width, height: height).folder == name else { return nil }
        return (width, height)
    }

    /// Why spaces-put may not upload `record`'s objects under these keys, or nil when it may.
    public func uploadRefusal(key: String, thumbnailKeys: [String]) -> String? {
        guard let rel = originalRel(key) else {
            return "its key \(key) is not under \(originals) (spaces-put writes only there and in the thumbnail folders of its --prefix, \(mapper.prefix.isEmpty ? "none" : mapper.prefix))"
        }
        for thumbnailKey in thumbnailKeys {
            guard let thumbnail = thumbnail(thumbnailKey),
                  thumbnail.stem.utf8.elementsEqual(KeyMapper.dropExtension(rel).utf8) || thumbnail.stem.utf8.elementsEqual(rel.utf8) else {
                return "its thumbnail key \(thumbnailKey) is not one of \(rel)'s thumbnail keys under \(folder)thumbnail*/"
            }
        }
        return nil
    }

    /// Whether `spaces-put --delete` may delete `key`: an original whose path the scan takes, or a thumbnail
    /// whose stem is such a path with or without its extension.
    public func mayDelete(_ key: String) -> Bool {
        if let rel = originalRel(key) { return rules.admits(rel) }
        guard let thumbnail = thumbnail(key) else { return false }
        return rules.admits(thumbnail.stem) || rules.extensions.contains { rules.admits(thumbnail.stem + "." + $0) }
    }

    /// `key` without `folder`, or nil when it is not under it; by bytes.
    static func rel(of key: String, under folder: String) -> String? {
        guard key.utf8.starts(with: folder.utf8) else { return nil }
        return String(decoding: Array(key.utf8.dropFirst(folder.utf8.count)), as: UTF8.self)
    }
}
