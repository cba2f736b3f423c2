import Foundation

/// One image as it moves through the pipeline, one JSON line per record.
///
/// `img-scan` fills the first group, `img-thumb` adds the thumbnail file, `spaces-put` (or `spaces-exists`)
/// sets `status`. A record that has a `status` is finished: later stages pass it through unchanged.
public struct ImageRecord: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable {
        case uploaded, skipped, failed
    }

    public var path: String
    public var rel: String
    public var size: Int64?
    public var mtime: Int64?
    public var key: String?
    public var thumbnailKey: String?

    public var thumbnailPath: String?
    public var thumbnailSize: Int64?

    public var status: Status?
    public var error: String?
    public var reason: String?
    public var contentType: String?
    public var etag: String?
    public var url: String?
    public var thumbnailEtag: String?
    public var thumbnailUrl: String?

    public init(path: String, rel: String, size: Int64? = nil, mtime: Int64? = nil, key: String? = nil, thumbnailKey: String? = nil) {
        self.path = path
        self.rel = rel
        self.size = size
        self.mtime = mtime
        self.key = key
        self.thumbnailKey = thumbnailKey
    }

    enum CodingKeys: String, CodingKey {
        case path, rel, size, mtime, key, status, error, reason, etag, url
        case thumbnailKey = "thumbnail_key"
        case thumbnailPath = "thumbnail_path"
        case thumbnailSize = "thumbnail_size"
        case contentType = "content_type"
        case thumbnailEtag = "thumbnail_etag"
        case thumbnailUrl = "thumbnail_url"
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
    public static func encode(_ record: ImageRecord) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings and integers cannot fail.
        return (try? encoder.encode(record)) ?? Data("{}".utf8)
    }

    public static func decode(_ line: Data) throws(RecordError) -> ImageRecord {
        do {
            return try JSONDecoder().decode(ImageRecord.self, from: line)
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
