import Glibc

/// Which of many keys are in the bucket, from ListObjectsV2 pages that start where the keys looked for are
/// (start-after just before the first one not yet answered) rather than at the start of their folder: keys that
/// lie side by side, as a scan gives them in S3's order, cost one request per 1,000; keys far apart cost about
/// one each, never two as HEADs do; and only the objects looked for are kept, so a bucket of millions is never
/// held in memory.
public struct SeekListing: Sendable {
    /// What is looked for: one key, or every key that starts with a prefix (`SharedThumbnail.siblingPrefix`).
    public struct Want: Sendable, Comparable {
        public let key: ExactKey
        public let isPrefix: Bool
        let bytes: [UInt8]

        public init(key: String, isPrefix: Bool = false) {
            self.key = ExactKey(key)
            self.isPrefix = isPrefix
            bytes = Array(key.utf8)
        }

        public static func == (lhs: Want, rhs: Want) -> Bool { lhs.isPrefix == rhs.isPrefix && lhs.bytes == rhs.bytes }

        public static func < (lhs: Want, rhs: Want) -> Bool {
            let order = KeyOrder.compare(lhs.bytes, rhs.bytes)
            return order < 0 || (order == 0 && lhs.isPrefix && !rhs.isPrefix)
        }

        /// Whether pages that follow one another from after `start` (nil: the folder's start) through `last`, or to
        /// the folder's end when `ended`, have shown every key this looks for, in S3's order and in a folder
        /// server's alike (`KeyOrder`).
        func isCovered(after start: [UInt8]?, through last: [UInt8]?, ended: Bool) -> Bool {
            // (A chain that starts inside a prefix's keys is a part's that starts after the part before it, which
            // listed those keys up to there.)
            guard start.map({ KeyOrder.before($0, bytes) || (isPrefix && $0.starts(with: bytes)) }) ?? true else { return false }
            if ended { return true }
            guard let last else { return false }
            return isPrefix ? KeyOrder.before(bytes, last) && !last.starts(with: bytes) : bytes == last || KeyOrder.before(bytes, last)
        }
    }

    /// Sorted, without duplicates.
    public let wants: [Want]
    private let exact: Set<ExactKey>
    private let prefixes: Set<ExactKey>

    public init(wants: some Sequence<Want>) {
        var sorted: [Want] = []
        for want in wants.sorted() where sorted.last != want { sorted.append(want) }
        self.wants = sorted
        exact = Set(sorted.filter { !$0.isPrefix }.map(\.key))
        prefixes = Set(sorted.filter(\.isPrefix).map(\.key))
    }

    /// Whether `key` is one looked for, or another original of a stem looked for: it starts with a prefix looked
    /// for (`PREFIX/original/a.`) and has no `.` or `/` after it.
    public func keeps(_ key: String) -> Bool {
        if exact.contains(ExactKey(key)) { return true }
        guard !prefixes.isEmpty, let dot = key.utf8.lastIndex(of: UInt8(ascii: ".")),
              !key.utf8[dot...].contains(UInt8(ascii: "/")) else { return false }
        return prefixes.contains(ExactKey(String(key[...dot])))
    }

    /// The parts to list side by side, `maxParts` at most: the pages the keys looked for fill (`pageSize` each),
    /// shared out in whole pages, so that parts cost no more requests than one listing would. Where a part ends
    /// on a key whose prefix is looked for too, the part looks for that prefix's keys up to that key and the next
    /// part, which starts after it, for the rest: a page that ends on the key cannot tell whether they go on.
    public func parts(pageSize: Int, maxParts: Int) -> [Part] {
        let keys = wants.count { !$0.isPrefix }
        let pages = max(1, (keys + pageSize - 1) / pageSize)
        let perPart = (pages + maxParts - 1) / max(1, maxParts)
        var parts: [Part] = [], part = Part(after: nil, through: nil, wants: []), counted = 0
        for want in wants {
            if !want.isPrefix && counted == perPart * pageSize {
                // This key's prefixes go with it.
                var carried: [Want] = []
                while let last = part.wants.last, last.isPrefix { carried.insert(part.wants.removeLast(), at: 0) }
                let last = part.wants.last
                if let last {
                    part.through = last.bytes
                    carried = part.wants.filter { $0.isPrefix && last.bytes.starts(with: $0.bytes) } + carried
                }
                parts.append(part)
                (part, counted) = (Part(after: last?.key.text, through: nil, wants: carried), 0)
            }
            part.wants.append(want)
            if !want.isPrefix { counted += 1 }
        }
        parts.append(part)
        return parts.filter { !$0.wants.isEmpty }
    }

    /// Wants listed by one connection: from after the key the part before ends with (nil: the first part), its
    /// prefixes' keys up to `through` when the next part lists the rest.
    public struct Part: Sendable {
        public var after: String?
        var through: [UInt8]?
        public var wants: [Want]
    }

    /// The objects of `part` that are looked for, listed with `fetch` (prefix, where to start, max keys), and
    /// whether every key came exact. Each request starts just before the first want not yet settled, or goes on
    /// after the last key of the page before when that is further on, and asks for one key more than wants remain.
    ///
    /// S3 lists keys in the byte order of their UTF-8. A server that keeps keys as files in folders (SeaweedFS)
    /// lists a folder's keys where the folder's name sorts, as if `/` came before every other byte: `a/x` before
    /// `a-b`. A want is settled only when the pages cover it in both orders; when a server's order leaves one
    /// unsettled by the page that starts just before it, that page settles it (it covered the want, in its order).
    public func objects(of part: Part, pageSize: Int,
                        fetch: (String, ListPage.Continuation?, Int) throws(S3Error) -> ListPage) throws(S3Error) -> (objects: [ObjectInfo], exact: Bool) {
        let folder = ListingPlan.commonFolder(part.wants.map(\.key.text))
        var found: [ObjectInfo] = [], exact = true
        var open = part.wants
        var previous = part.after.map { ListPage.Continuation.startAfter($0) }, lastSeek: [UInt8]??
        // Where the pages followed since the last seek started (nil: the folder's start), and the last exact key.
        var chainStart = part.after.map { Array($0.utf8) }, lastExact: [UInt8]?
        while let first = open.first {
            let seekKey = Self.before(first.key.text), seekBytes = seekKey.map { Array($0.utf8) }
            // The pages followed so far can settle `first` only if they started before it in both orders.
            let settles = chainStart.map { KeyOrder.before($0, first.bytes) || (first.isPrefix && $0.starts(with: first.bytes)) } ?? true
            let from: ListPage.Continuation?
            switch previous {
            case .startAfter(let last)? where settles && (seekBytes.map({ KeyOrder.before($0, Array(last.utf8)) }) ?? true):
                from = previous
            case .token? where settles:
                from = previous
            default:
                if let lastSeek, lastSeek == seekBytes {
                    // The same seek again: its page covered this want in the server's order.
                    open.removeFirst()
                    previous = nil
                    continue
                }
                from = seekKey.map { .startAfter($0) }
                lastSeek = seekBytes
                (chainStart, lastExact) = (seekBytes, nil)
            }
            let page = try fetch(folder, from, max(1, min(pageSize, open.count + 1)))
            exact = exact && page.keysWereURLEncoded
            found += page.objects.filter { keeps($0.key) }
            if let last = page.objects.last(where: { page.keysWereURLEncoded || ListPage.survivesXML($0.key) }) { lastExact = Array(last.key.utf8) }
            let ended = !page.isTruncated
            open.removeAll { want in
                want.isCovered(after: chainStart, through: ended ? nil : lastExact, ended: ended)
                    // The keys of the part's last key's prefix past that key are the next part's.
                    || (want.isPrefix && part.through.map { end in
                        end.starts(with: want.bytes) && (lastExact.map { $0 == end || KeyOrder.before(end, $0) } ?? false)
                            && (chainStart.map { KeyOrder.before($0, want.bytes) || $0.starts(with: want.bytes) } ?? true)
                    } ?? false)
            }
            guard let after = try page.continuation() else {
                previous = nil
                continue
            }
            guard !Self.same(after, from) else { throw .integrity("the listing does not move on from one page to the next (\(after))") }
            previous = after
        }
        return (found, exact)
    }

    /// Whether two places in a listing are the same, by bytes (`String ==` takes an NFD key for its NFC twin).
    static func same(_ a: ListPage.Continuation?, _ b: ListPage.Continuation?) -> Bool {
        switch (a, b) {
        case (.startAfter(let x)?, .startAfter(let y)?): return ExactKey(x) == ExactKey(y)
        case (.token(let x)?, .token(let y)?): return x.utf8.elementsEqual(y.utf8)
        case (nil, nil): return true
        default: return false
        }
    }

    /// A key just before `key` in S3's order, to start a listing after: `key` without its last character (nil for
    /// a key of one character: the folder's start). Only keys that lie between the two are listed for nothing.
    static func before(_ key: String) -> String? {
        guard key.count > 1 else { return nil }
        return String(key.dropLast())
    }
}

/// The two orders a listing may come in: S3's (by bytes) and a folder server's (by bytes, `/` first).
enum KeyOrder {
    /// `a` comes before `b` in both orders: at the first byte where they differ, `a`'s is lower and `b`'s is not
    /// the `/` a folder server puts first (or `a` ends there).
    static func before(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let common = min(a.count, b.count)
        var index = 0
        while index < common && a[index] == b[index] { index += 1 }
        guard index < common else { return a.count < b.count }
        return a[index] < b[index] && b[index] != UInt8(ascii: "/")
    }

    /// S3's order of two keys' bytes: negative, zero or positive.
    static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in ExactKey.compare(x, y) } }
    }
}
