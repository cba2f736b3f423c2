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

    @Test func imagesDifferingOnlyByExtensionEachKeepTheirExtension() {
        let keys = KeyMapper(prefix: "avatar")
        let result = keys.thumbnailKeys(for: ["a.jpg", "a.png", "b.jpg", "sub/a.png"])
        #expect(result.keys["a.jpg"] == "avatar/thumbnail/a.jpg.jpg")
        #expect(result.keys["a.png"] == "avatar/thumbnail/a.png.jpg")
        #expect(result.keys["b.jpg"] == "avatar/thumbnail/b.jpg")
        #expect(result.keys["sub/a.png"] == "avatar/thumbnail/sub/a.jpg")
        #expect(result.warnings.count == 2)
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
        #expect(result.keys.count == 3)
        #expect(result.keys[ExactKey("\(nfd).jpg")].map { Array($0.utf8) } == Array("p/thumbnail/\(nfd).jpg".utf8))
        #expect(result.keys[ExactKey("\(nfc).jpg")].map { Array($0.utf8) } == Array("p/thumbnail/\(nfc).jpg.jpg".utf8))
        #expect(result.keys[ExactKey("\(nfc).png")].map { Array($0.utf8) } == Array("p/thumbnail/\(nfc).png.jpg".utf8))
        #expect(result.warnings.count == 2)
        #expect(result.warnings.first.map { Array($0.utf8) }
                == Array("\(nfc).jpg: shares its thumbnail name with \(nfc).png; its thumbnail goes to p/thumbnail/\(nfc).jpg.jpg".utf8))
    }

    @Test func exactKeysCompareBytesNotCanonicalEquivalence() {
        #expect("Jos\u{E9}" == "Jose\u{301}", "what String does")
        #expect(ExactKey("Jos\u{E9}") != ExactKey("Jose\u{301}"))
        #expect(Set([ExactKey("Jos\u{E9}"), ExactKey("Jose\u{301}"), ExactKey("Jos\u{E9}")]).count == 2)
        #expect(ExactKey("Jose\u{301}") < ExactKey("Jos\u{E9}"), "S3's byte order: e (0x65) before 0xC3")
        #expect(ExactKey("a\u{10FFFF}") > ExactKey("a\u{FFFE}"))
    }

    @Test func aKeyThatStillCollidesIsRefusedNotOverwritten() {
        let result = KeyMapper(prefix: "p").thumbnailKeys(for: ["a.jpg", "a.png", "a.png.jpg"])
        #expect(Set(result.keys.values).count == result.keys.count)
        #expect(result.keys["a.png.jpg"] == nil)
    }
}
