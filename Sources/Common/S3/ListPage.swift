import FoundationEssentials

/// One page of a ListObjectsV2 answer, asked for with `encoding-type=url`.
///
/// XML 1.0 cannot carry every character a key may hold (`\x01`, `\x1B`, U+FFFE): without url encoding, SeaweedFS
/// sends U+FFFD in their place and moto sends them raw, so such keys never matched and their images were
/// uploaded again on every run. With it, each key comes percent-encoded and is decoded here to its exact bytes.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html#API_ListObjectsV2_RequestSyntax (encoding-type)
public struct ListPage: Sendable {
    public var objects: [ObjectInfo] = []
    public var isTruncated = false
    public var nextContinuationToken: String?
    /// The server honoured `encoding-type=url` (its answer says `<EncodingType>url</EncodingType>`), so every key
    /// is exact. When false, the keys are as the XML gave them, and one that `survivesXML` does not may have
    /// come back altered.
    public var keysWereURLEncoded = true

    init(objects: [ObjectInfo], isTruncated: Bool, nextContinuationToken: String? = nil, keysWereURLEncoded: Bool = true) {
        self.objects = objects
        self.isTruncated = isTruncated
        self.nextContinuationToken = nextContinuationToken
        self.keysWereURLEncoded = keysWereURLEncoded
    }

    /// The elements an answer is read for; `XMLFields.scan` names each by its place here.
    private enum Field: String, CaseIterable {
        case key = "Key", size = "Size", etag = "ETag", lastModified = "LastModified", isTruncated = "IsTruncated"
        case nextContinuationToken = "NextContinuationToken", encodingType = "EncodingType"
    }
    private static let byPlace = Field.allCases
    private static let fields = byPlace.map(\.rawValue)

    /// Reads an answer; only `Key` is decoded (the toolkit reads no `Prefix` or `StartAfter`, and the
    /// continuation token is not encoded).
    init(xml: Data) throws(S3Error) {
        var current: ObjectInfo?
        var encodingType: String?
        XMLFields.scan(xml, names: Self.fields) { element in
            switch element {
            case .tag(let name) where name.elementsEqual("Contents".utf8):
                if let current { objects.append(current) }
                current = ObjectInfo(key: "", size: 0, etag: "")
            case .tag:
                break
            case .collected(let place, let value):
                switch Self.byPlace[place] {
                case .key: current?.key = value
                case .size: current?.size = Int64(value) ?? 0
                case .etag: current?.etag = S3Client.unquote(value)
                case .lastModified: current?.lastModified = value
                case .isTruncated: isTruncated = value == "true"
                case .nextContinuationToken: nextContinuationToken = value
                case .encodingType: encodingType = value
                }
            }
        }
        if let current { objects.append(current) }
        // The element comes after the keys (SeaweedFS, moto), so keys are decoded once the page is read.
        keysWereURLEncoded = encodingType?.lowercased() == "url"
        guard keysWereURLEncoded else { return }
        for index in objects.indices {
            guard let key = URIEncoding.decodeFormComponent(objects[index].key) else {
                // Read as it is, it could stand for another key: better no listing than a wrong one.
                throw .integrity("the listing holds a key that is not valid URL encoding: \(objects[index].key)")
            }
            objects[index].key = key
        }
    }

    /// Whether `key` comes back unaltered in a listing that is not url-encoded: every character is one XML 1.0
    /// can carry (https://www.w3.org/TR/xml/#charsets), except CR, which XML parsers turn into LF, and U+FFFD,
    /// which is what servers send in place of the others (so a key holding it may stand for another one).
    public static func survivesXML(_ key: String) -> Bool {
        key.unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0x09, 0x0A, 0x20...0xD7FF, 0xE000...0xFFFC, 0x10000...0x10FFFF: return true
            default: return false
            }
        }
    }
}
