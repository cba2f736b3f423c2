import FoundationEssentials
import Glibc

/// One thumbnail to make of every image: a box, a format and a quality (`--thumbnails 200x300,400x600,200x300.webp`).
///
/// The list syntax: items separated by commas, each `WxH[.FORMAT][:QUALITY]` (or `WxH:FORMAT[:QUALITY]`); FORMAT is `jpg` (the default),
/// `webp` or `avif`; QUALITY 1-100 defaults to 85 for JPEG, 75 for WebP and 50 for AVIF (libvips' own defaults
/// for those two). `200x300` alone is today's one thumbnail, exactly.
///
/// Keys: `PREFIX/thumbnail/REL.EXT` for the 200x300 box, `PREFIX/thumbnail-WxH/REL.EXT` for any other box,
/// where EXT is the format's (`jpg`, `webp`, `avif`) and REL keeps or drops its extension by the rule of
/// `KeyMapper.thumbnailKeys`. No two items of a list may share a box and a format, so no two keys collide.
public struct ThumbnailSpec: Hashable, Sendable, CustomStringConvertible {
    public enum Format: String, CaseIterable, Sendable {
        case jpeg, webp, avif

        /// The extension of its keys and files.
        public var fileExtension: String { self == .jpeg ? "jpg" : rawValue }
        public var contentType: String { "image/\(rawValue)" }
        public var defaultQuality: Int {
            switch self {
            case .jpeg: return 85
            case .webp: return 75
            case .avif: return 50
            }
        }

        init?(name: String) {
            switch name.lowercased() {
            case "jpg", "jpeg": self = .jpeg
            case "webp": self = .webp
            case "avif": self = .avif
            default: return nil
            }
        }
    }

    /// Each side's range: a 4096x4096 thumbnail costs about 50 MB of pixels to make (10000x10000 cost 359 MB).
    public static let sides = 1...4096
    /// Thumbnails per image, at most: each is made and stored for every image.
    public static let maxCount = 10
    /// Today's thumbnail, the default: 200x300 JPEG at quality 85, at `PREFIX/thumbnail/REL.jpg`.
    public static let standard = ThumbnailSpec(width: 200, height: 300, format: .jpeg, quality: 85)

    public var width: Int
    public var height: Int
    public var format: Format
    public var quality: Int

    public init(width: Int, height: Int, format: Format = .jpeg, quality: Int? = nil) {
        self.width = width
        self.height = height
        self.format = format
        self.quality = quality ?? format.defaultQuality
    }

    /// `200x300`, `400x600.webp`, `200x300.avif:60`: the item as it would be written, defaults left out.
    public var description: String {
        var text = "\(width)x\(height)"
        if format != .jpeg { text += "." + format.fileExtension }
        if quality != format.defaultQuality { text += ":\(quality)" }
        return text
    }

    /// The folder of its keys under the prefix: `thumbnail` for 200x300, `thumbnail-WxH` for other boxes.
    public var folder: String {
        width == Self.standard.width && height == Self.standard.height ? "thumbnail" : "thumbnail-\(width)x\(height)"
    }

    /// One item, or why it is not one.
    public static func parse(_ item: String) -> Result<ThumbnailSpec, SpecError> {
        var text = Substring(item.trimmingWhitespace())
        var quality: Int?
        var format = Format.jpeg
        var named = false
        // After the box, each ':' part is the quality, or the format (`400x600:webp`, as vipsthumbnail's users write it).
        var parts = text.split(separator: ":", omittingEmptySubsequences: false)
        text = parts.removeFirst()
        for part in parts {
            if let value = Int(part), quality == nil {
                guard (1...100).contains(value) else {
                    return .failure(SpecError("'\(item)': the quality after ':' must be a whole number from 1 to 100"))
                }
                quality = value
            } else if let chosen = Format(name: String(part)), !named {
                (format, named) = (chosen, true)
            } else {
                return .failure(SpecError("'\(item)': after ':' comes a format (jpg, webp, avif) or a quality from 1 to 100, each once"))
            }
        }
        if !named, let dot = text.lastIndex(of: ".") {
            guard let named = Format(name: String(text[text.index(after: dot)...])) else {
                return .failure(SpecError("'\(item)': the format must be jpg, webp or avif"))
            }
            format = named
            text = text[..<dot]
        }
        let sides = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard sides.count == 2, let width = Int(sides[0]), let height = Int(sides[1]),
              Self.sides.contains(width), Self.sides.contains(height) else {
            return .failure(SpecError("'\(item)': a thumbnail is WxH[.FORMAT][:QUALITY], each side 1-\(Self.sides.upperBound) (200x300, 400x600.webp, 200x300.avif:60)"))
        }
        return .success(ThumbnailSpec(width: width, height: height, format: format, quality: quality))
    }

    /// A whole `--thumbnails` list: at least one item, no box and format twice.
    public static func parseList(_ text: String) -> Result<[ThumbnailSpec], SpecError> {
        var specs: [ThumbnailSpec] = []
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
        guard items.count <= maxCount else {
            return .failure(SpecError("--thumbnails takes at most \(maxCount) thumbnails (got \(items.count))"))
        }
        for item in items {
            switch parse(String(item)) {
            case .failure(let error): return .failure(error)
            case .success(let spec):
                if let twin = specs.first(where: { $0.width == spec.width && $0.height == spec.height && $0.format == spec.format }) {
                    return .failure(SpecError("'\(spec)' and '\(twin)' would share their keys: give each box and format once"))
                }
                specs.append(spec)
            }
        }
        return specs.isEmpty ? .failure(SpecError("--thumbnails needs at least one WxH")) : .success(specs)
    }

    public struct SpecError: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
