import Crypto
import FoundationEssentials
import Glibc

/// DeleteObjects' request body and answer: up to 1,000 keys in one request, each answered on its own.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
public enum DeleteObjects {
    /// S3's limit of keys per request.
    public static let maxKeys = 1000

    /// What the server said about one key.
    public enum Outcome: Equatable, Sendable {
        case deleted
        /// Refused, with the server's code and message (`AccessDenied: Access Denied`), or not confirmed.
        case failed(String)
    }

    /// Whether `key` can go in a request body and come back unaltered in the answer: only a key XML 1.0 carries
    /// as it is (`ListPage.survivesXML`). Any other (a control character, CR, U+FFFD) is deleted on its own with
    /// DeleteObject, whose key travels in the URL.
    public static func canBatch(_ key: String) -> Bool { ListPage.survivesXML(key) }

    /// `items` cut into runs of at most `size`, in order: one request each.
    public static func chunks<Item>(_ items: [Item], size: Int = maxKeys) -> [ArraySlice<Item>] {
        stride(from: 0, to: items.count, by: max(1, size)).map { items[$0..<min($0 + max(1, size), items.count)] }
    }

    /// The request body: not quiet, so that the answer names every key deleted as well as every key refused,
    /// and nothing is taken as deleted without the server saying so.
    static func body(keys: [String]) -> Data {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>false</Quiet>"#
        for key in keys { xml += "<Object><Key>\(escaped(key))</Key></Object>" }
        xml += "</Delete>"
        return Data(xml.utf8)
    }

    /// Text with the characters XML gives meaning to replaced by entities.
    static func escaped(_ text: String) -> String { MarkupText.escaped(text) }

    /// `Content-MD5` (base64) and the SigV4 payload hash (hex SHA-256) of a body.
    static func digests(of body: Data) -> (md5: String, sha256: String) {
        (Data(Insecure.MD5.hash(data: body)).base64EncodedString(), Data(SHA256.hash(data: body)).hexString)
    }

    /// Each of `keys`' outcome from the answer (`<Deleted>` and `<Error>` elements, matched by exact key); a key
    /// the answer does not name is failed, not assumed deleted.
    static func outcomes(xml: Data, keys: [String]) -> [Outcome] {
        var answered: [ExactKey: Outcome] = [:]
        var group: (deleted: Bool, key: String?, code: String?, message: String?)?
        func close() {
            guard let done = group, let key = done.key, answered[ExactKey(key)] == nil else { return }
            let reason = [done.code, done.message].compactMap { $0?.isEmpty == false ? $0 : nil }.joined(separator: ": ")
            answered[ExactKey(key)] = done.deleted ? .deleted : .failed(reason.isEmpty ? "refused without a reason" : reason)
        }
        for event in XMLFields.parse(xml, names: ["Key", "Code", "Message"]).events {
            switch event.name {
            case "Deleted", "Error":
                close()
                group = (event.name == "Deleted", nil, nil, nil)
            case "Key": group?.key = event.value
            case "Code": group?.code = event.value
            case "Message": group?.message = event.value
            default: break
            }
        }
        close()
        return keys.map { answered[ExactKey($0)] ?? .failed("the server's answer does not say it was deleted") }
    }
}
