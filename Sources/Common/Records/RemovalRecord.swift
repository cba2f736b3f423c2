import FoundationEssentials
import Glibc

/// One object to delete because its image's local file is gone, one JSON line per object key: written by
/// `spaces-exists --removed`, deleted by `spaces-put --delete`, which writes it again with its status.
///
/// `"action":"delete"` tells these lines from image records in a results file, and makes `spaces-put --delete`
/// refuse image records: a scan piped into it by mistake deletes nothing.
public struct RemovalRecord: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case original, thumbnail
    }

    public enum Status: String, Codable, Sendable {
        case deleted, failed
    }

    public static let action = "delete"

    public var action: String
    public var key: String
    public var kind: Kind?
    /// For an original: the path relative to the scanned folder whose file is gone.
    public var rel: String?
    public var size: Int64?
    public var status: Status?
    public var error: String?
    /// Why the prune this record belongs to was refused (`PruneGuard`): `spaces-put --delete` then deletes
    /// nothing of it, so that ignoring spaces-exists' exit status cannot get around the guard.
    public var refused: String?

    public init(key: String, kind: Kind, rel: String? = nil, size: Int64? = nil) {
        action = Self.action
        self.key = key
        self.kind = kind
        self.rel = rel
        self.size = size
    }

    /// A line of `spaces-put --delete`'s output for an input line that is not a deletion record.
    public static func failedLine(_ error: String) -> Data {
        encode(["action": Self.action, "error": error, "status": Status.failed.rawValue])
    }

    /// One line: keys sorted, slashes as they are.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Self.failedLine("cannot encode the record of \(key)")
    }

    /// A deletion record (`"action":"delete"`), or why the line is not one.
    public static func decode(_ line: Data) throws(RecordError) -> RemovalRecord {
        let record: RemovalRecord
        do {
            record = try JSONDecoder().decode(RemovalRecord.self, from: line)
        } catch DecodingError.keyNotFound(let key, _) {
            throw .missingField(key.stringValue)
        } catch DecodingError.typeMismatch(_, let context), DecodingError.dataCorrupted(let context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw field.isEmpty ? .notJSON : .badField(field)
        } catch {
            throw .notJSON
        }
        guard record.action == action else { throw .badField("action") }
        return record
    }

    private static func encode(_ object: [String: String]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(object))
            ?? Data(#"{"action":"delete","status":"failed"}"#.utf8)
    }
}
