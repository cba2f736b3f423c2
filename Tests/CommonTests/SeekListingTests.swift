import TestSupport
import Testing
@testable import Common

/// The listing that seeks to the keys looked for, against a bucket in memory that answers ListObjectsV2 as S3
/// does (prefix, start-after, max-keys; keys in byte order).
@Suite(.unitTimeLimit) struct SeekListingTests {
    final class Bucket {
        let keys: [String]
        let slashFirst: Bool
        var requests = 0

        /// S3's order, or with `slashFirst` a folder server's (SeaweedFS: a folder's keys where its name sorts).
        init(_ keys: [String], slashFirst: Bool = false) {
            self.slashFirst = slashFirst
            self.keys = keys.sorted { Self.less($0, $1, slashFirst) }
        }

        static func less(_ a: String, _ b: String, _ slashFirst: Bool) -> Bool {
            a.utf8.lexicographicallyPrecedes(b.utf8) { slashFirst ? ($0 == 0x2F ? -1 : Int($0)) < ($1 == 0x2F ? -1 : Int($1)) : $0 < $1 }
        }

        func list(_ prefix: String, _ from: ListPage.Continuation?, _ maxKeys: Int) -> ListPage {
            requests += 1
            var after: String?
            if case .startAfter(let key)? = from { after = key }
            let listed = keys.filter { key in key.utf8.starts(with: prefix.utf8) && (after.map { Self.less($0, key, slashFirst) } ?? true) }
            return ListPage(objects: listed.prefix(maxKeys).map { ObjectInfo(key: $0, size: 1, etag: "e") }, isTruncated: listed.count > maxKeys)
        }

        func found(_ listing: SeekListing, pageSize: Int = 1000, maxParts: Int = 8) throws -> Set<String> {
            var found: Set<String> = []
            for part in listing.parts(pageSize: pageSize, maxParts: maxParts) {
                let listed = try listing.objects(of: part, pageSize: pageSize) { prefix, from, maxKeys in list(prefix, from, maxKeys) }
                found.formUnion(listed.objects.map(\.key))
            }
            return found
        }
    }

    /// Exactly the keys looked for that are there, and every other original of a stem looked for, whatever else
    /// lies around them: awkward names, a key that is a prefix of another, folders whose names sort apart in the
    /// two orders (`t/` and `t-400x600/`), pages of 3 in up to 8 parts; on a server in S3's order and on one
    /// that lists folder by folder.
    @Test(arguments: [false, true]) func findsExactlyWhatIsLookedFor(slashFirst: Bool) throws {
        let names = ["a.jpg", "a.png", "a/b.jpg", "a-b.jpg", "a b+.jpg", "ü.jpg", "u\u{308}.jpg", "\u{10FFFF}.jpg", "z.jpg.jpg", "zz"]
        var present: [String] = []
        for folder in ["p/original/", "p/t/", "p/t-400x600/", "p/original/x/"] { present += names.map { folder + $0 } }
        present += ["p", "p/", "q/original/a.jpg", "p/original/a.", "p/original/a.gif", "p/original/a.gif.x", "p/t-4", "p/t.jpg",
                    "p/original/x.jpg", "p/original/x.png", "p/original/x-y.jpg", "p/original/x/a.gif"]
        let bucket = Bucket(present, slashFirst: slashFirst)
        for round in 0..<200 {
            var generator = SystemRandomNumberGenerator()
            let keys = (present + ["p/original/missing.jpg", "p/t/none.jpg", "p/t-400x600/none.jpg", "p/zzz"]).shuffled(using: &generator)
                .prefix([4, 8, 30, 45][round % 4])
            let prefixes = ["p/original/a.", "p/original/x/a.", "p/original/x.", "p/original/nothing."].filter { _ in Bool.random() }
            let listing = SeekListing(wants: keys.map { SeekListing.Want(key: $0) } + prefixes.map { SeekListing.Want(key: $0, isPrefix: true) })
            let expected = Set(present.filter { key in
                keys.contains { ExactKey($0) == ExactKey(key) } || prefixes.contains { prefix in
                    key.utf8.starts(with: prefix.utf8) && !key.utf8.dropFirst(prefix.utf8.count).contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "/") }
                }
            })
            for pageSize in [3, 1000] {
                #expect(try bucket.found(listing, pageSize: pageSize) == expected, "pages of \(pageSize): \(keys) \(prefixes)")
            }
        }
    }

    /// Keys side by side (a scan's, a folder's every original and thumbnail): one request per 1,000; keys
    /// far apart among many others: about one each, never the whole folder.
    @Test(arguments: [false, true]) func requestsFollowWhereTheKeysLie(slashFirst: Bool) throws {
        let originals = (0..<2_500).map { String(format: "p/original/%05d.jpg", $0) }
        let thumbnails = (0..<2_500).map { String(format: "p/thumbnail/%05d.jpg", $0) }
        let bucket = Bucket(originals + thumbnails, slashFirst: slashFirst)
        let everything = SeekListing(wants: (originals + thumbnails).map { SeekListing.Want(key: $0) })
        #expect(try bucket.found(everything).count == 5_000)
        #expect(bucket.requests == 5, "5,000 keys in a row, in parts of whole pages: \(bucket.requests) requests")

        let sparse = Bucket(originals + thumbnails, slashFirst: slashFirst)
        let few = stride(from: 7, to: 2_500, by: 250).flatMap { [originals[$0], thumbnails[$0], "p/original/\($0)-new.jpg"] }
        let found = try sparse.found(SeekListing(wants: few.map { SeekListing.Want(key: $0) }))
        #expect(found.count == 20)
        #expect(sparse.requests <= few.count, "\(few.count) keys far apart: \(sparse.requests) requests")

        // Thumbnails in two folders whose order differs between the servers: in S3's the variants follow the
        // originals; a folder server lists thumbnail/ between them, which one part passes with a seek.
        let variants = (0..<2_500).map { String(format: "p/thumbnail-400x600/%05d.webp", $0) }
        let both = Bucket(originals + thumbnails + variants, slashFirst: slashFirst)
        let all = try both.found(SeekListing(wants: (originals + variants).map { SeekListing.Want(key: $0) }))
        #expect(all.count == 5_000)
        #expect(both.requests == (slashFirst ? 6 : 5), "\(both.requests) requests")
    }

    /// Parts side by side share the keys out in order, in whole pages, every key in exactly one; a prefix goes
    /// with its key, and with the next part too when its key ends a part.
    @Test func partsShareTheKeysOutInWholePages() {
        let keys = (0..<100).map { String(format: "f/%03d.jpg", $0) }
        let prefixes = ["f/050.", "f/029.", "f/030."].map { SeekListing.Want(key: $0, isPrefix: true) }
        let listing = SeekListing(wants: keys.shuffled().map { SeekListing.Want(key: $0) } + prefixes)
        let parts = listing.parts(pageSize: 10, maxParts: 4)
        #expect(parts.map { $0.wants.count { !$0.isPrefix } } == [30, 30, 30, 10])
        #expect(parts.flatMap { $0.wants.filter { !$0.isPrefix }.map(\.key.text) } == keys)
        #expect(parts[0].wants.suffix(2).map(\.key.text) == ["f/029.", "f/029.jpg"])
        #expect(parts.map(\.after) == [nil, "f/029.jpg", "f/059.jpg", "f/089.jpg"])
        #expect(parts[1].wants.prefix(3).map(\.key.text) == ["f/029.", "f/030.", "f/030.jpg"])
        #expect(parts[1].wants.contains { $0.isPrefix && $0.key.text == "f/050." })
        #expect(parts.allSatisfy { zip($0.wants, $0.wants.dropFirst()).allSatisfy { $0 < $1 } }, "each part in order")
        #expect(listing.parts(pageSize: 10, maxParts: 20).count == 10)
        #expect(listing.parts(pageSize: 1000, maxParts: 8).count == 1)
    }

    /// A file or folder named like a folder and a byte below `/` (`a-b.jpg` beside `a/`, `Summer 2023/` beside
    /// `Summer/`): the two orders put them apart, and the pages followed from the one cannot settle the other:
    /// the listing seeks to it rather than crawl on to the folder's end.
    @Test(arguments: [false, true]) func aNameBesideAFolderCostsASeekNotACrawl(slashFirst: Bool) throws {
        let others = (0..<2_000).map { String(format: "p/original/c%05d.jpg", $0) }
        let wanted = ["p/original/a-b.jpg", "p/original/a/b.jpg"] + (0..<100).map { String(format: "p/original/b%04d.jpg", $0) }
        let bucket = Bucket(wanted + others, slashFirst: slashFirst)
        let found = try bucket.found(SeekListing(wants: wanted.map { SeekListing.Want(key: $0) }))
        #expect(found.count == wanted.count)
        #expect(bucket.requests <= 5, "\(bucket.requests) requests")
    }

    /// A part that ends on `x/a.jpg`, its prefix `x/a.` carried to the next part, beside a file `x.jpg` that a
    /// folder server lists after the folder `x/`: the other original `x/a.gif` is still found.
    @Test(arguments: [false, true]) func aCarriedPrefixBesideADotFileIsListedWhole(slashFirst: Bool) throws {
        let bucket = Bucket(["p/original/x.jpg", "p/original/x/a.gif", "p/original/x/a.jpg", "p/original/z.jpg", "p/original/zz.jpg"], slashFirst: slashFirst)
        let listing = SeekListing(wants: ["p/original/x.jpg", "p/original/x/a.jpg", "p/original/z.jpg"].map { SeekListing.Want(key: $0) }
            + [SeekListing.Want(key: "p/original/x/a.", isPrefix: true)])
        #expect(try bucket.found(listing, pageSize: 2).contains("p/original/x/a.gif"))
    }
}
