import Testing
import TestSupport
@testable import Common

@Suite(.unitTimeLimit) struct ShardTests {
    /// The published FNV-1a 64 test vectors (the FNV page's test suite), and a name with an accent, whose
    /// bytes are its UTF-8 (worked out apart, in Python).
    @Test func fnv1aMatchesItsPublishedVectors() {
        #expect(Shard.fnv1a("".utf8) == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.fnv1a("a".utf8) == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.fnv1a("foobar".utf8) == 0x8594_4171_f739_67e8)
        #expect(Shard.fnv1a("José.jpg".utf8) == 0x13f1_d883_028b_dada)
    }

    @Test(arguments: ["1/1", "1/4", "4/4", "7/1000000", "01/2"])
    func partsAreParsed(_ text: String) throws {
        let shard = try #require(Shard(parsing: text))
        #expect(Shard.problem(with: text) == nil)
        #expect(shard.description == "\(Int(text.split(separator: "/")[0])!)/\(Int(text.split(separator: "/")[1])!)")
    }

    @Test(arguments: ["", "1", "0/4", "5/4", "1/0", "-1/4", "1/4/4", "a/4", "1/1000001", " 1/4", "1/ 4", "1.0/4", "/4", "1/"])
    func badPartsAreRefusedWithTheRule(_ text: String) {
        #expect(Shard(parsing: text) == nil)
        #expect(Shard.problem(with: text)?.contains("I/N") == true)
    }

    /// Every path falls in exactly one part, the parts are about even, and a path's part does not depend on
    /// what else is scanned.
    @Test func thePartsSplitEveryPathOnceAndEvenly() throws {
        let paths = (0..<6000).map { "2024/\($0 % 12)/IMG_\($0).jpg" }
        let parts = (1...4).map { Shard(parsing: "\($0)/4")! }
        var sizes = [0, 0, 0, 0]
        for path in paths {
            let owners = parts.indices.filter { parts[$0].contains(rel: path) }
            #expect(owners.count == 1, "\(path) is in parts \(owners)")
            sizes[owners[0]] += 1
        }
        #expect(sizes.allSatisfy { abs($0 - 1500) < 150 }, "\(sizes)")
        #expect(Shard(parsing: "1/1")!.contains(rel: "anything.jpg"))
        // Part I takes the paths whose hash modulo N is I - 1.
        #expect(Shard(parsing: "\(Shard.fnv1a("a.jpg".utf8) % 4 + 1)/4")!.contains(rel: "a.jpg"))
    }

    /// A scan's part keeps its images, failures and left-out files; shared thumbnail keys are found over the
    /// whole folder, so two images sharing one fail in whichever parts they land.
    @Test func aScanKeepsItsPartOfEverything() throws {
        let dir = try TemporaryDirectory()
        let names = (0..<40).map { "p\($0).jpg" } + ["same.jpg", "same.png", "._junk.jpg", ".hidden.jpg"]
        for name in names { try dir.write(name) }
        let whole = try ImageScanner(root: dir.path, prefix: "avatar").scan()
        let parts = try (1...3).map { try ImageScanner(root: dir.path, prefix: "avatar", shard: Shard(parsing: "\($0)/3")).scan() }
        let union = parts.flatMap(\.records).map(\.rel).sorted()
        #expect(union == whole.records.map(\.rel).sorted())
        #expect(parts.allSatisfy { !$0.records.isEmpty })
        #expect(parts.flatMap(\.ignored).map(\.rel).sorted() == whole.ignored.map(\.rel).sorted())
        let thumbnails = Dictionary(uniqueKeysWithValues: whole.records.map { ($0.rel, $0.thumbnailKey) })
        for record in parts.flatMap(\.records) { #expect(record.thumbnailKey == thumbnails[record.rel]) }
        let same = parts.flatMap(\.records).filter { $0.rel.hasPrefix("same.") }
        #expect(same.count == 2 && same.allSatisfy { $0.status == .failed && $0.thumbnailKey == nil })
    }
}
