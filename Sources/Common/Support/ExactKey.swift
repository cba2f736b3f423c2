import Glibc

/// An S3 key or a file path, compared, hashed and ordered by its UTF-8 bytes, as S3 and Linux file systems
/// compare names. Index keys and paths by this, never by `String`.
///
/// Swift's `String ==` (and so `Dictionary` and `Set`) compares by canonical equivalence: `José` in NFC
/// (`Jos\u{E9}`, as most tools write it) equals `José` in NFD (`Jose\u{301}`, as macOS writes it), yet they are
/// two files on Linux and two objects in a bucket.
/// https://unicode.org/reports/tr15/#Canon_Compat_Equivalence (canonical equivalence)
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html (a key is a sequence of UTF-8 bytes)
public struct ExactKey: Hashable, Comparable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public let text: String

    public init(_ text: String) { self.text = text }

    public init(stringLiteral text: String) { self.text = text }

    public static func == (lhs: ExactKey, rhs: ExactKey) -> Bool {
        lhs.text.utf8.count == rhs.text.utf8.count && compare(lhs.text, rhs.text) == 0
    }

    /// S3's order: ListObjectsV2 returns keys sorted by their UTF-8 bytes.
    public static func < (lhs: ExactKey, rhs: ExactKey) -> Bool { compare(lhs.text, rhs.text) < 0 }

    /// Whether `text`'s UTF-8 bytes end with `suffix`'s.
    public static func bytes(of text: String, endWith suffix: String) -> Bool {
        func endsWith(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
            x.count >= y.count && (y.isEmpty || memcmp(x.baseAddress! + (x.count - y.count), y.baseAddress!, y.count) == 0)
        }
        let inPlace = text.utf8.withContiguousStorageIfAvailable { x in suffix.utf8.withContiguousStorageIfAvailable { y in endsWith(x, y) } }
        if let ends = inPlace ?? nil { return ends }
        var text = text, suffix = suffix
        return text.withUTF8 { x in suffix.withUTF8 { y in endsWith(x, y) } }
    }

    /// The order of two strings' UTF-8 bytes: negative, zero or positive (memcmp on native strings).
    static func compare(_ a: String, _ b: String) -> Int {
        // In place for native strings (every one this toolkit makes): no copy, no retain, in the sorts and lookups
        // that compare keys a million times.
        let inPlace = a.utf8.withContiguousStorageIfAvailable { x in b.utf8.withContiguousStorageIfAvailable { y in compare(x, y) } }
        if let order = inPlace ?? nil { return order }
        var a = a, b = b
        return a.withUTF8 { x in b.withUTF8 { y in compare(x, y) } }
    }

    /// The order of two byte strings, S3's: memcmp over the shorter, then the shorter first.
    static func compare(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(x.count, y.count)
        let order = common == 0 ? 0 : memcmp(x.baseAddress!, y.baseAddress!, common)
        return order != 0 ? Int(order) : x.count - y.count
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(text.utf8.count)
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        // Only a string bridged from elsewhere lacks contiguous UTF-8; it is hashed byte by byte instead.
        if hashed == nil { for byte in text.utf8 { hasher.combine(byte) } }
    }

    public var description: String { text }
}
