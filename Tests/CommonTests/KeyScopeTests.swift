import Common
import TestSupport
import Testing

/// Which keys spaces-put may write and delete (issue 32's reproductions): only what the scan makes under the prefix.
@Suite(.unitTimeLimit) struct KeyScopeTests {
    let scope = KeyScope(prefix: "avatar")

    @Test func deletionsOnlyOfKeysTheScanMakes() {
        for key in ["avatar/original/a.jpg", "avatar/original/sub/b c.png", "avatar/thumbnail/a.jpg", "avatar/thumbnail/a.jpg.jpg",
                    "avatar/thumbnail-400x600/sub/b c.webp", "avatar/thumbnail-4096x1/a.avif"] {
            #expect(scope.mayDelete(key), "\(key)")
        }
        // The keys: not images, hidden, a NAS cache, AppleDouble, boxes no --thumbnails can make, other folders.
        for key in ["avatar/original/x.txt", "avatar/original/db.sqlite", "avatar/original/.hidden.jpg", "avatar/original/@eaDir/x.jpg",
                    "avatar/original/._x.jpg", "avatar/original/.git/a.jpg", "avatar/thumbnail-0x0/a.jpg", "avatar/thumbnail-99999x99999/a.jpg",
                    "avatar/thumbnail-200x300/a.jpg", "avatar/thumbnail-0400x600/a.jpg", "avatar/thumbnail/notes.txt", "avatar/thumbnail/.x.jpg",
                    "avatar/thumbnail/@eaDir/x.jpg", "db.sqlite", "avatar/a.jpg", "other/original/a.jpg", "avatar/original/",
                    "avatar/original//a.jpg", "/avatar/original/a.jpg"] {
            #expect(!scope.mayDelete(key), "\(key)")
        }
        let hidden = KeyScope(prefix: "avatar", rules: ScanRules(includeHidden: true))
        #expect(hidden.mayDelete("avatar/original/.hidden.jpg") && hidden.mayDelete("avatar/thumbnail/.hidden.jpg"))
    }

    @Test func uploadsOnlyUnderThePrefixAndTheImagesOwnThumbnailNames() {
        #expect(scope.uploadRefusal(key: "avatar/original/a.png", thumbnailKeys: ["avatar/thumbnail/a.jpg", "avatar/thumbnail-400x600/a.webp"]) == nil)
        #expect(scope.uploadRefusal(key: "avatar/original/a.png", thumbnailKeys: ["avatar/thumbnail/a.png.jpg"]) == nil)
        #expect(scope.uploadRefusal(key: "other-team/original/keep.jpg", thumbnailKeys: [])?.contains("is not under avatar/original/") == true)
        #expect(scope.uploadRefusal(key: "/avatar/original/a.jpg", thumbnailKeys: []) != nil, "a leading slash")
        #expect(scope.uploadRefusal(key: "avatar/original//a.jpg", thumbnailKeys: []) != nil)
        #expect(scope.uploadRefusal(key: "avatar/original/a.jpg", thumbnailKeys: ["avatar/thumbnail/b.jpg"])?.contains("not one of a.jpg's thumbnail keys") == true)
        #expect(scope.uploadRefusal(key: "avatar/original/a.jpg", thumbnailKeys: ["other/thumbnail/a.jpg"]) != nil)
        #expect(KeyScope(prefix: "p/q").uploadRefusal(key: "p/q/original/a.jpg", thumbnailKeys: ["p/q/thumbnail/a.jpg"]) == nil)
    }
}
