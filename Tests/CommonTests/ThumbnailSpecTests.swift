import Testing
import TestSupport
@testable import Common

@Suite(.unitTimeLimit) struct ThumbnailSpecTests {
    @Test func itemsAndTheirDefaults() throws {
        let specs = try ThumbnailSpec.parseList("200x300,400x600, 200x300.webp,100x100.avif:60,50x50.JPEG:90").get()
        #expect(specs == [.standard, .init(width: 400, height: 600), .init(width: 200, height: 300, format: .webp, quality: 75),
                          .init(width: 100, height: 100, format: .avif, quality: 60), .init(width: 50, height: 50, quality: 90)])
        #expect(specs.map(\.description) == ["200x300", "400x600", "200x300.webp", "100x100.avif:60", "50x50:90"])
        // Every description parses back to the same spec: records carry them.
        for spec in specs { #expect(try ThumbnailSpec.parse(spec.description).get() == spec) }
    }

    @Test(arguments: ["", "200", "200x", "0x300", "200x300.gif", "200x300:0", "200x300:101", "10001x1", "4097x1", "1x10000",
                      "200x300,,400x600", (1...11).map { "\($0)x\($0)" }.joined(separator: ","),
                      "200x300,200x300:90", "a x b"])
    func badListsAreRefusedWithAReason(_ text: String) {
        guard case .failure(let error) = ThumbnailSpec.parseList(text) else {
            Issue.record("'\(text)' was accepted")
            return
        }
        #expect(!error.description.isEmpty)
    }

    /// The default stays today's key; every other box gets a folder of its own, every format its extension.
    @Test func keysFollowOneRuleThatCannotCollide() throws {
        let keys = KeyMapper(prefix: "avatar")
        let assigned = keys.thumbnailKeys(for: ["a.jpg", "a.png", "b/c.heic"], names: .full).keys
        let specs = try ThumbnailSpec.parseList("200x300,400x600,200x300.webp,400x600.avif").get()
        let table = ["a.jpg", "a.png", "b/c.heic"].map { rel in specs.map { keys.thumbnailKey(assigned[ExactKey(rel)]!, for: $0) } }
        #expect(table == [
            ["avatar/thumbnail/a.jpg.jpg", "avatar/thumbnail-400x600/a.jpg.jpg", "avatar/thumbnail/a.jpg.webp", "avatar/thumbnail-400x600/a.jpg.avif"],
            ["avatar/thumbnail/a.png.jpg", "avatar/thumbnail-400x600/a.png.jpg", "avatar/thumbnail/a.png.webp", "avatar/thumbnail-400x600/a.png.avif"],
            ["avatar/thumbnail/b/c.heic.jpg", "avatar/thumbnail-400x600/b/c.heic.jpg", "avatar/thumbnail/b/c.heic.webp", "avatar/thumbnail-400x600/b/c.heic.avif"],
        ])
        let stem = keys.thumbnailKeys(for: ["b/c.heic"]).keys[ExactKey("b/c.heic")]!
        #expect(specs.map { keys.thumbnailKey(stem, for: $0) } == ["avatar/thumbnail/b/c.jpg", "avatar/thumbnail-400x600/b/c.jpg", "avatar/thumbnail/b/c.webp", "avatar/thumbnail-400x600/b/c.avif"])
        #expect(Set(table.joined()).count == 12)
        let bare = KeyMapper(prefix: "")
        #expect(bare.thumbnailKey("thumbnail/x.jpg", for: .init(width: 1, height: 2, format: .webp)) == "thumbnail-1x2/x.webp")
    }

    @Test func theScanPutsTheListInEachRecord() throws {
        let dir = try TemporaryDirectory()
        try dir.write("p.jpg")
        let specs = try ThumbnailSpec.parseList("400x600,200x300.webp").get()
        let record = try #require(try ImageScanner(root: dir.path, prefix: "x", thumbnails: specs).scan().records.first)
        #expect(record.thumbnailKey == "x/thumbnail-400x600/p.jpg" && record.thumbnailSpec == "400x600")
        #expect(record.extraThumbnails == [.init(key: "x/thumbnail/p.webp", spec: "200x300.webp")])
        // The default list changes nothing in the record.
        let plain = try #require(try ImageScanner(root: dir.path, prefix: "x").scan().records.first)
        #expect(plain.thumbnailKey == "x/thumbnail/p.jpg" && plain.thumbnailSpec == nil && plain.extraThumbnails == nil)
    }

    @Test func extensionsAreSetByName() throws {
        #expect(try ScanRules.extensions(from: "JPG,.png, heic").get() == ["jpg", "png", "heic"])
        #expect((try? ScanRules.extensions(from: "jpg,,png").get()) == nil)
        #expect((try? ScanRules.extensions(from: "*.jpg").get()) == nil)
        let dir = try TemporaryDirectory()
        for name in ["a.HEIC", "b.jxl", "c.avif", "d.heif", "e.jpg", "f.png"] { try dir.write(name) }
        #expect(try ImageScanner(root: dir.path, prefix: "x").scan().records.map(\.rel) == ["a.HEIC", "b.jxl", "c.avif", "d.heif", "e.jpg", "f.png"])
        let only = ScanRules(extensions: ["heic", "png"])
        #expect(try ImageScanner(root: dir.path, prefix: "x", rules: only).scan().records.map(\.rel) == ["a.HEIC", "f.png"])
    }

    /// `400x600:webp`, as vipsthumbnail's users write it, is `400x600.webp`; a quality may follow or come first.
    @Test func theFormatMayFollowAColon() throws {
        #expect(try ThumbnailSpec.parse("400x600:webp").get() == ThumbnailSpec(width: 400, height: 600, format: .webp))
        #expect(try ThumbnailSpec.parse("400x600:webp:60").get() == ThumbnailSpec(width: 400, height: 600, format: .webp, quality: 60))
        #expect(try ThumbnailSpec.parse("400x600:60:AVIF").get() == ThumbnailSpec(width: 400, height: 600, format: .avif, quality: 60))
        for bad in ["400x600:gif", "400x600:webp:webp", "400x600:1:2", "400x600.webp:webp", "400x600:"] {
            #expect((try? ThumbnailSpec.parse(bad).get()) == nil, "\(bad)")
        }
    }
}
