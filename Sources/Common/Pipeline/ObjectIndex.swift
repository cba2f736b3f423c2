/// What a listing found in the bucket, by exact key, and which keys it can answer for.
public struct ObjectIndex: Sendable {
    private var objects: [ExactKey: ObjectInfo]
    /// Every page came url-encoded, so every key is exact whatever it holds.
    public let keysAreExact: Bool

    public init(pages: [ListPage]) {
        // By bytes: an NFD key must not find the object of its NFC twin (`ExactKey`).
        objects = Dictionary(pages.flatMap(\.objects).map { (ExactKey($0.key), $0) }) { first, _ in first }
        keysAreExact = pages.allSatisfy(\.keysWereURLEncoded)
    }

    public subscript(key: String) -> ObjectInfo? { objects[ExactKey(key)] }

    /// Replaces what the listing said of `object`'s key with what a HEAD told (its metadata).
    public mutating func update(_ object: ObjectInfo) { objects[ExactKey(object.key)] = object }

    /// Whether the listing tells if `key` is there. From a server that ignored `encoding-type=url`, a key holding
    /// a character XML cannot carry may be listed under an altered name (U+FFFD in its place): only a HEAD can tell.
    public func answers(for key: String) -> Bool { keysAreExact || ListPage.survivesXML(key) }
}
