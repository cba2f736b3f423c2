/// What a listing found in the bucket, by exact key, and which keys it can answer for.
public struct ObjectIndex: Sendable {
    private var objects: [ExactKey: ObjectInfo]
    /// Every key, in S3's order (by bytes), for `keys(startingWith:)`.
    private let sorted: [ExactKey]
    /// Every page came url-encoded, so every key is exact whatever it holds.
    public let keysAreExact: Bool

    public init(pages: [ListPage]) {
        self.init(objects: pages.flatMap(\.objects), keysAreExact: pages.allSatisfy(\.keysWereURLEncoded))
    }

    /// The objects a listing found (`SeekListing`: those looked for), and whether every key came exact.
    public init(objects listedObjects: [ObjectInfo], keysAreExact: Bool) {
        // By bytes: an NFD key must not find the object of its NFC twin (`ExactKey`).
        objects = Dictionary(listedObjects.map { (ExactKey($0.key), $0) }) { first, _ in first }
        self.keysAreExact = keysAreExact
        // A listing comes in S3's order already (pages, and parts, one after another): sorted again only if not.
        let listed = listedObjects.map { ExactKey($0.key) }
        sorted = zip(listed, listed.dropFirst()).allSatisfy { $0 < $1 } ? listed : Array(Set(listed)).sorted()
    }

    /// The keys that start with `prefix`, by bytes, in order.
    public func keys(startingWith prefix: String) -> [String] {
        let start = ExactKey(prefix)
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < start { low = middle + 1 } else { high = middle }
        }
        var found: [String] = []
        while low < sorted.count, sorted[low].text.utf8.starts(with: prefix.utf8) {
            found.append(sorted[low].text)
            low += 1
        }
        return found
    }

    public subscript(key: String) -> ObjectInfo? { objects[ExactKey(key)] }

    /// Replaces what the listing said of `object`'s key with what a HEAD told (its metadata).
    public mutating func update(_ object: ObjectInfo) { objects[ExactKey(object.key)] = object }

    /// Whether the listing tells if `key` is there. From a server that ignored `encoding-type=url`, a key holding
    /// a character XML cannot carry may be listed under an altered name (U+FFFD in its place): only a HEAD can tell.
    public func answers(for key: String) -> Bool { keysAreExact || ListPage.survivesXML(key) }
}
