import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct KeyMapperTests {
    @Test func mapsKeysUnderThePrefix() {
        let keys = KeyMapper(prefix: "/profile/")
        #expect(keys.originalKey(for: "sub/a.PNG") == "profile/original/sub/a.PNG")
        #expect(keys.naturalThumbnailKey(for: "sub/a.b.PNG") == "profile/thumbnail/sub/a.b.jpg")
        #expect(KeyMapper(prefix: "").originalKey(for: "a.jpg") == "original/a.jpg")
    }

    @Test(arguments: ["avatar", "a/b", "/avatar/", "avatar/", "", "/", "photos 2024/team", "v1.2"])
    func prefixesOfFolderNamesAreAccepted(_ prefix: String) {
        #expect(KeyMapper.problem(withPrefix: prefix) == nil, "\(prefix)")
    }

    @Test(arguments: ["..", ".", "./x", "a/../b", "a//b", "x/.", "//a", "a//", "../avatar"])
    func prefixesS3WouldRefuseOrRewriteAreRefused(_ prefix: String) {
        let problem = KeyMapper.problem(withPrefix: prefix)
        #expect(problem?.contains("--prefix") == true && problem?.contains("'\(prefix)'") == true, "\(prefix): \(problem ?? "accepted")")
    }

    @Test func imagesDifferingOnlyByExtensionGetNoThumbnailKeyAndNameEachOther() {
        let keys = KeyMapper(prefix: "avatar")
        let result = keys.thumbnailKeys(for: ["a.jpg", "a.png", "b.jpg", "sub/a.png"])
        #expect(result.keys["a.jpg"] == nil && result.keys["a.png"] == nil)
        #expect(result.keys["b.jpg"] == "avatar/thumbnail/b.jpg")
        #expect(result.keys["sub/a.png"] == "avatar/thumbnail/sub/a.jpg")
        #expect(result.failures["a.jpg"] == "its thumbnail key avatar/thumbnail/a.jpg is also that of a.png, so none of them is uploaded: rename one, or give every image its full name with --thumbnail-names full")
        #expect(result.failures["a.png"]?.contains("is also that of a.jpg,") == true)
        #expect(result.failures.count == 2)
        let full = keys.thumbnailKeys(for: ["a.jpg", "a.png", "b.jpg"], names: .full)
        #expect(full.keys == ["a.jpg": "avatar/thumbnail/a.jpg.jpg", "a.png": "avatar/thumbnail/a.png.jpg", "b.jpg": "avatar/thumbnail/b.jpg.jpg"])
        #expect(full.failures.isEmpty)
    }

    /// The issue's set (`a.jpg`, `a.jpg.jpg`, `a.png`, `A.JPG`, `a.jpeg`, and `a.JPG`, which a case-sensitive file
    /// system keeps beside `a.jpg`), in every subset and in two orders, with both namings and two thumbnail
    /// formats: an image's keys are its own path's alone (the same in every subset it is in), no two images of
    /// a subset share a key of any spec, and with stem names exactly the images whose stem another one shares fail.
    @Test func thumbnailKeysDependOnTheImageAloneAndAreNeverShared() {
        let names = ["a.jpg", "a.jpg.jpg", "a.png", "A.JPG", "a.jpeg", "a.JPG"]
        let specs: [ThumbnailSpec] = [.standard, ThumbnailSpec(width: 400, height: 600, format: .webp)]
        let mapper = KeyMapper(prefix: "avatar")
        for naming in KeyMapper.ThumbnailNames.allCases {
            var keyOf: [String: String] = [:]
            for mask in 1..<(1 << names.count) {
                let subset = names.indices.filter { mask & (1 << $0) != 0 }.map { names[$0] }
                for order in [subset, subset.reversed()] {
                    let result = mapper.thumbnailKeys(for: order, names: naming)
                    var taken: Set<String> = []
                    for rel in order {
                        let shares = order.contains { $0 != rel && KeyMapper.dropExtension($0) == KeyMapper.dropExtension(rel) }
                        #expect((result.keys[ExactKey(rel)] == nil) == (naming == .stem && shares), "\(naming) \(order): \(rel)")
                        guard let key = result.keys[ExactKey(rel)] else { continue }
                        #expect(keyOf[rel, default: key] == key, "\(rel)'s key changed with \(order)")
                        keyOf[rel] = key
                        for spec in specs {
                            let specKey = mapper.thumbnailKey(key, for: spec)
                            #expect(taken.insert(specKey).inserted, "\(naming) \(order): \(specKey) shared")
                        }
                    }
                }
            }
        }
    }

    /// A slash followed by a combining mark is one `Character` (`/\u{301}`), yet still a slash in a key.
    @Test func aSlashBeforeACombiningMarkIsStillASlash() {
        #expect(Array(KeyMapper(prefix: "/\u{301}b/").prefix.utf8) == Array("\u{301}b".utf8))
        #expect(Array(KeyMapper(prefix: "a/\u{301}b").originalKey(for: "x.jpg").utf8) == Array("a/\u{301}b/original/x.jpg".utf8))
        #expect(KeyMapper.problem(withPrefix: "x//\u{301}") != nil)
        #expect(KeyMapper.problem(withPrefix: "x/.\u{301}/y") == nil, "a dot with a mark is a name, not .")
    }

    /// Unicode twins (`José` in NFC and in NFD) are two paths: each keeps its natural key, and a real collision
    /// beside them names only the other file of the collision.
    @Test func unicodeTwinsAreTwoImagesNotACollision() {
        let nfc = "Jos\u{E9}", nfd = "Jose\u{301}"
        let result = KeyMapper(prefix: "p").thumbnailKeys(for: ["\(nfd).jpg", "\(nfc).jpg", "\(nfc).png"])
        #expect(result.keys.count == 1)
        #expect(result.keys[ExactKey("\(nfd).jpg")].map { Array($0.utf8) } == Array("p/thumbnail/\(nfd).jpg".utf8))
        #expect(result.failures.count == 2)
        #expect(result.failures[ExactKey("\(nfc).jpg")].map { Array($0.utf8) }
                == Array("its thumbnail key p/thumbnail/\(nfc).jpg is also that of \(nfc).png, so none of them is uploaded: rename one, or give every image its full name with --thumbnail-names full".utf8))
    }

    @Test func exactKeysCompareBytesNotCanonicalEquivalence() {
        #expect("Jos\u{E9}" == "Jose\u{301}", "what String does")
        #expect(ExactKey("Jos\u{E9}") != ExactKey("Jose\u{301}"))
        #expect(Set([ExactKey("Jos\u{E9}"), ExactKey("Jose\u{301}"), ExactKey("Jos\u{E9}")]).count == 2)
        #expect(ExactKey("Jose\u{301}") < ExactKey("Jos\u{E9}"), "S3's byte order: e (0x65) before 0xC3")
        #expect(ExactKey("a\u{10FFFF}") > ExactKey("a\u{FFFE}"))
    }

    /// The prefix an original's key was made under, from the key and its path.
    @Test func theOriginalsPrefixComesBackFromItsKey() {
        #expect(KeyMapper.prefix(ofOriginal: "photos/original/a/b.jpg", rel: "a/b.jpg") == "photos/")
        #expect(KeyMapper.prefix(ofOriginal: "original/b.jpg", rel: "b.jpg") == "")
        #expect(KeyMapper.prefix(ofOriginal: "photos/xoriginal/b.jpg", rel: "b.jpg") == nil)
        #expect(KeyMapper.prefix(ofOriginal: "photos/original/b.jpg", rel: "c.jpg") == nil)
        #expect(KeyMapper.prefix(ofOriginal: "a//original/b.jpg", rel: "b.jpg") == nil)
        // A prefix inside another's folders is none: its thumbnails would land among avatar's originals.
        #expect(KeyMapper.prefix(ofOriginal: "avatar/original/old/original/x.jpg", rel: "x.jpg") == nil)
        #expect(KeyMapper.prefix(ofOriginal: "avatar/thumbnail-400x600/original/x.jpg", rel: "x.jpg") == nil)
        #expect(KeyMapper.insideFolders("avatar/original/old") == "original" && KeyMapper.insideFolders("photos/2024") == nil)
    }
}
