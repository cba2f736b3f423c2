import FoundationEssentials

/// One image as it moves through the pipeline, one JSON line per record.
///
/// `img-scan` fills the first group, `img-thumb` adds the thumbnail file, `spaces-put` (or `spaces-exists`)
/// sets `status`. A record that has a `status` is finished: later stages pass it through unchanged.
public struct ImageRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case uploaded, skipped, failed
    }

    /// A thumbnail beyond the first (`--thumbnails 200x300,400x600,200x300.webp`): its key and what it is
    /// (`spec`, a `ThumbnailSpec` item such as `400x600` or `200x300.webp`); img-thumb adds `path` and `size`,
    /// spaces-put `etag` and `url`.
    public struct ExtraThumbnail: Codable, Sendable, Equatable {
        public var key: String
        public var spec: String
        public var path: String?
        public var size: Int64?
        public var etag: String?
        public var url: String?
        /// With `--presign`: a URL that fetches it without credentials until the record's `presigned_expires`.
        public var presignedUrl: String?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case key, spec, path, size, etag, url
            case presignedUrl = "presigned_url"
        }

        public init(key: String, spec: String) {
            self.key = key
            self.spec = spec
        }
    }

    public var path: String
    public var rel: String
    public var size: Int64?
    public var mtime: Int64?
    public var key: String?
    public var thumbnailKey: String?
    /// What the first thumbnail is (a `ThumbnailSpec` item); absent means img-thumb's own `--size`, a JPEG,
    /// which is 200x300 by default: today's one thumbnail.
    public var thumbnailSpec: String?
    /// The thumbnails after the first, when more than one is declared; absent when only one is.
    public var extraThumbnails: [ExtraThumbnail]?

    public var thumbnailPath: String?
    public var thumbnailSize: Int64?
    /// The original file the thumbnail was made from (`FileIdentity.recordValue`): spaces-put uploads that
    /// file or none, so a file replaced after its thumbnail was made never goes up beside the wrong thumbnail.
    public var thumbnailSource: String?

    /// The image is an object already in the bucket (`spaces-ls --originals`): `path` is `s3://BUCKET/KEY`, `etag`
    /// and `size` are the object's. spaces-put uploads its thumbnails and never the original.
    public var fromBucket: Bool?
    /// Where spaces-get put the object's bytes: img-thumb reads the image from this file instead of `path`, and
    /// deletes it once the thumbnails are made (or the image failed).
    public var download: String?

    public var status: Status?
    public var error: String?
    public var reason: String?
    public var contentType: String?
    public var etag: String?
    public var url: String?
    public var thumbnailEtag: String?
    public var thumbnailUrl: String?
    /// With `--presign`: URLs that fetch the original and the thumbnail without credentials (a private bucket),
    /// and when they stop working (UTC, `2026-12-07T10:00:00Z`).
    public var presignedUrl: String?
    public var presignedThumbnailUrl: String?
    public var presignedExpires: String?

    /// Fields this toolkit does not know (a `user_id` joined in with jq), kept as written and written back
    /// in key order with the rest, by every stage.
    public var otherFields: [JSONObjectFields.Member] = []

    public init(path: String, rel: String, size: Int64? = nil, mtime: Int64? = nil, key: String? = nil, thumbnailKey: String? = nil) {
        self.path = path
        self.rel = rel
        self.size = size
        self.mtime = mtime
        self.key = key
        self.thumbnailKey = thumbnailKey
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, rel, size, mtime, key, status, error, reason, etag, url, download
        case fromBucket = "from_bucket"
        case thumbnailKey = "thumbnail_key"
        case thumbnailPath = "thumbnail_path"
        case thumbnailSize = "thumbnail_size"
        case thumbnailSource = "thumbnail_source"
        case contentType = "content_type"
        case thumbnailEtag = "thumbnail_etag"
        case thumbnailUrl = "thumbnail_url"
        case thumbnailSpec = "thumbnail_spec"
        case extraThumbnails = "extra_thumbnails"
        case presignedUrl = "presigned_url"
        case presignedThumbnailUrl = "presigned_thumbnail_url"
        case presignedExpires = "presigned_expires"
    }

    /// A record for an item that failed before it could become a normal record.
    public static func failure(path: String, rel: String, error: String) -> ImageRecord {
        var record = ImageRecord(path: path, rel: rel)
        record.status = .failed
        record.error = error
        return record
    }
}

/// JSON coding for records: sorted keys so every line has the same, stable key order.
public enum RecordCoding {
    /// The same bytes as `JSONEncoder` with `.sortedKeys` and `.withoutEscapingSlashes` (the tests compare
    /// the two), written by hand: every stage encodes one record per image, and JSONEncoder's generic
    /// machinery cost more than the rest of `img-scan` put together.
    public static func encode(_ record: ImageRecord) -> Data {
        var out: [UInt8] = [UInt8(ascii: "{")]
        out.reserveCapacity(256 + record.path.utf8.count * 3)
        var first = true
        func name(_ key: StaticString) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
            out.append(contentsOf: "\":".utf8)
        }
        func string(_ key: StaticString, _ value: String?) {
            guard let value else { return }
            name(key)
            appendQuoted(value, to: &out)
        }
        func number(_ key: StaticString, _ value: Int64?) {
            guard let value else { return }
            name(key)
            out.append(contentsOf: String(value).utf8)
        }
        // Keys in sorted order.
        string("content_type", record.contentType)
        string("download", record.download)
        string("error", record.error)
        string("etag", record.etag)
        if let extras = record.extraThumbnails {
            name("extra_thumbnails")
            out.append(UInt8(ascii: "["))
            for (index, extra) in extras.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "{"))
                first = true
                string("etag", extra.etag)
                string("key", extra.key)
                string("path", extra.path)
                string("presigned_url", extra.presignedUrl)
                number("size", extra.size)
                string("spec", extra.spec)
                string("url", extra.url)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
            first = false
        }
        if let fromBucket = record.fromBucket {
            name("from_bucket")
            out.append(contentsOf: (fromBucket ? "true" : "false").utf8)
        }
        string("key", record.key)
        number("mtime", record.mtime)
        string("path", record.path)
        string("presigned_expires", record.presignedExpires)
        string("presigned_thumbnail_url", record.presignedThumbnailUrl)
        string("presigned_url", record.presignedUrl)
        string("reason", record.reason)
        string("rel", record.rel)
        number("size", record.size)
        string("status", record.status?.rawValue)
        string("thumbnail_etag", record.thumbnailEtag)
        string("thumbnail_key", record.thumbnailKey)
        string("thumbnail_path", record.thumbnailPath)
        number("thumbnail_size", record.thumbnailSize)
        string("thumbnail_source", record.thumbnailSource)
        string("thumbnail_spec", record.thumbnailSpec)
        string("thumbnail_url", record.thumbnailUrl)
        string("url", record.url)
        out.append(UInt8(ascii: "}"))
        return record.otherFields.isEmpty ? Data(out) : Data(merging(record.otherFields, into: out))
    }

    /// The names this toolkit writes; any other field of a record is one of its `otherFields`.
    static let knownNames: Set<String> = Set(ImageRecord.CodingKeys.allCases.map(\.stringValue))

    /// Another record's fields spliced into an encoded record, each at its place in key order (byte order
    /// of the names, as the known fields are written).
    static func merging(_ others: [JSONObjectFields.Member], into encoded: [UInt8]) -> [UInt8] {
        guard var members = JSONObjectFields.members(of: encoded) else { return encoded }
        members += others.filter { !knownNames.contains($0.name) }
        members.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, member) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendQuoted(member.name, to: &out)
            out.append(UInt8(ascii: ":"))
            out += member.value
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A JSON string: quotes, backslashes and control characters escaped as JSONEncoder escapes them,
    /// everything else (slashes, non-ASCII) as it is.
    static func appendQuoted(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Runs of bytes that need no escape are copied whole: most strings are one run.
            var plain = 0
            for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain..<index]))
                appendEscaped(byte, to: &out)
                plain = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
        case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
        case 0x0A: out.append(contentsOf: "\\n".utf8)
        case 0x0D: out.append(contentsOf: "\\r".utf8)
        case 0x09: out.append(contentsOf: "\\t".utf8)
        case 0x08: out.append(contentsOf: "\\b".utf8)
        case 0x0C: out.append(contentsOf: "\\f".utf8)
        default:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: "\\u00".utf8 + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
        }
    }

    /// The record a line holds: read by `RecordScanner` when it is a plain record, else by JSONDecoder, which
    /// also says what is wrong with a line that is not one.
    public static func decode(_ line: Data) throws(RecordError) -> ImageRecord {
        if let record = RecordScanner.record(in: line) { return record }
        do {
            var record = try JSONDecoder().decode(ImageRecord.self, from: line)
            if let members = JSONObjectFields.members(of: [UInt8](line)), members.contains(where: { !knownNames.contains($0.name) }) {
                record.otherFields = members.filter { !knownNames.contains($0.name) }
            }
            return record
        } catch DecodingError.keyNotFound(let key, _) {
            throw .missingField(key.stringValue)
        } catch DecodingError.typeMismatch(_, let context), DecodingError.dataCorrupted(let context) {
            let field = context.codingPath.map { $0.stringValue }.joined(separator: ".")
            throw field.isEmpty ? .notJSON : .badField(field)
        } catch {
            throw .notJSON
        }
    }
}

public enum RecordError: Error, CustomStringConvertible, Equatable {
    case notJSON
    case missingField(String)
    case badField(String)

    public var description: String {
        switch self {
        case .notJSON: return "not a JSON record"
        case .missingField(let name): return "record has no \"\(name)\""
        case .badField(let name): return "record field \"\(name)\" has the wrong type"
        }
    }
}
