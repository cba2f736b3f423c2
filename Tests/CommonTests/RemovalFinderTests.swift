import Foundation
import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct RemovalFinderTests {
    let finder = RemovalFinder(prefix: "avatar")

    /// A record as img-scan writes it for a file that is there.
    func scanned(_ rel: String, thumbnail: String? = nil) -> ImageRecord {
        ImageRecord(path: "/photos/" + rel, rel: rel, key: "avatar/original/" + rel,
                    thumbnailKey: "avatar/thumbnail/" + (thumbnail ?? KeyMapper.dropExtension(rel) + ".jpg"))
    }

    func listed(_ keys: String...) -> [ObjectInfo] { keys.map { ObjectInfo(key: $0, size: 1, etag: "e") } }

    func removedKeys(_ records: [ImageRecord], _ objects: [ObjectInfo], exact: Bool = true) throws -> [String] {
        try finder.find(records: records, listed: objects, keysAreExact: exact).removals.map(\.key)
    }

    @Test func anOriginalWhoseFileIsGoneGoesWithItsThumbnailOriginalsFirst() throws {
        let result = try finder.find(records: [scanned("kept.jpg")], listed: listed(
            "avatar/original/gone.png", "avatar/original/kept.jpg", "avatar/thumbnail/gone.jpg", "avatar/thumbnail/kept.jpg",
            "avatar/original/a/gone too.webp", "avatar/thumbnail/a/gone too.jpg"), keysAreExact: true)
        #expect(result.removals.map(\.key) == ["avatar/original/a/gone too.webp", "avatar/original/gone.png",
                                               "avatar/thumbnail/a/gone too.jpg", "avatar/thumbnail/gone.jpg"])
        #expect(result.removals.map(\.kind) == [.original, .original, .thumbnail, .thumbnail])
        #expect(result.removals[1].rel == "gone.png" && result.removals[1].size == 1 && result.removals[2].rel == nil)
    }

    @Test func nothingOutsideThePrefixsTwoFoldersIsEverRemoved() throws {
        let removed = try removedKeys([], listed(
            "avatar/other/x.jpg", "avatar/x.jpg", "avatar/originals/x.jpg", "profile/original/x.jpg", "x.jpg",
            "avatar/original/", "avatar/thumbnail/", "avatar/original/notes.txt", "avatar/thumbnail/x.png",
            "avatar/original/y.jpg"))
        #expect(removed == ["avatar/original/y.jpg"])
        let root = RemovalFinder(prefix: "")
        #expect(root.originals == "original/" && root.thumbnails == "thumbnail/")
        let nested = RemovalFinder(prefix: "/a/b/")
        #expect(nested.originals == "a/b/original/" && nested.thumbnails == "a/b/thumbnail/")
    }

    @Test func anImageThatFailedInThisRunIsNotRemoved() throws {
        // Unreadable: img-scan gives it no keys, only its rel.
        let unreadable = ImageRecord.failure(path: "/photos/locked.jpg", rel: "locked.jpg", error: "permission denied")
        // Refused by img-thumb: its record keeps its keys.
        var refused = scanned("bad.png")
        refused.status = .failed
        let removed = try removedKeys([unreadable, refused], listed(
            "avatar/original/locked.jpg", "avatar/thumbnail/locked.jpg", "avatar/original/bad.png", "avatar/thumbnail/bad.jpg"))
        #expect(removed.isEmpty)
    }

    @Test func everythingUnderAFolderThatCouldNotBeReadStays() throws {
        let folder = ImageRecord.failure(path: "/photos/private", rel: "private", error: "cannot read folder: permission denied")
        let result = try finder.find(records: [folder], listed: listed(
            "avatar/original/private/a.jpg", "avatar/thumbnail/private/a.jpg", "avatar/original/private/deep/b.png",
            "avatar/original/privateer.jpg"), keysAreExact: true)
        #expect(result.removals.map(\.key) == ["avatar/original/privateer.jpg"])
        #expect(result.keptUnderFailures == 3)
        // A failure at the root keeps everything.
        let root = ImageRecord.failure(path: "/photos", rel: "", error: "cannot read folder")
        #expect(try removedKeys([root], listed("avatar/original/a.jpg", "avatar/thumbnail/a.jpg")).isEmpty)
    }

    @Test func deCollidedThumbnailsBelongToTheirOwnOriginal() throws {
        // a.jpg and a.png were uploaded side by side (thumbnails a.jpg.jpg, a.png.jpg); a.png is gone.
        let objects = listed("avatar/original/a.jpg", "avatar/original/a.png", "avatar/thumbnail/a.jpg.jpg",
                             "avatar/thumbnail/a.png.jpg")
        // a.jpg now stands alone: its thumbnail key is the natural one again (uploaded by this run).
        #expect(try removedKeys([scanned("a.jpg")], objects) == ["avatar/original/a.png", "avatar/thumbnail/a.png.jpg"])
        // a.jpg is gone instead: a.png's natural thumbnail a.jpg is not a.jpg's to take along.
        let keptPNG = try removedKeys([scanned("a.png")], listed("avatar/original/a.jpg", "avatar/original/a.png",
                                                                 "avatar/thumbnail/a.jpg"))
        #expect(keptPNG == ["avatar/original/a.jpg"])
    }

    @Test func aThumbnailNoImageOwnsGoesAndOneAStayingOriginalOwnsStays() throws {
        // An orphan from an earlier run (its original's deletion went through, its own did not).
        #expect(try removedKeys([], listed("avatar/thumbnail/orphan.jpg")) == ["avatar/thumbnail/orphan.jpg"])
        // An original the scan ignores stays, and so do its thumbnails.
        let removed = try removedKeys([], listed("avatar/original/.hidden/x.png", "avatar/thumbnail/.hidden/x.jpg",
                                                 "avatar/original/notes.txt", "avatar/thumbnail/notes.jpg"))
        #expect(removed == [], "notes.txt stays, and owns notes.jpg")
    }

    @Test func pathsTheScanWouldIgnoreStay() throws {
        let result = try finder.find(records: [], listed: listed(
            "avatar/original/._IMG_1.jpg", "avatar/original/.git/a.jpg", "avatar/original/x/@eaDir/SYNOPHOTO_THUMB_S.jpg",
            "avatar/original/a.JPEG", "avatar/original/b.tif", "avatar/original/c.heic"), keysAreExact: true)
        // HEIC is an image name since img-scan takes it: its original is gone like the others.
        #expect(result.removals.map(\.key) == ["avatar/original/a.JPEG", "avatar/original/b.tif", "avatar/original/c.heic"])
        #expect(result.keptIgnored == 3)
        // The seam for img-scan's own filters: a path the rule refuses is never removed.
        var filtered = RemovalFinder(prefix: "avatar")
        filtered.couldBeScanned = { !$0.hasPrefix("raw/") && RemovalFinder.scannableByDefault($0) }
        let kept = try filtered.find(records: [], listed: listed("avatar/original/raw/a.jpg", "avatar/original/b.jpg"), keysAreExact: true)
        #expect(kept.removals.map(\.key) == ["avatar/original/b.jpg"])
        // img-scan's own rules, as spaces-exists --removed is given them: --exclude raw and --include-hidden.
        let rules = ScanRules(includeHidden: true, filter: PathFilter([.init(.exclude, "raw")]))
        let ruled = RemovalFinder(prefix: "avatar", couldBeScanned: rules.admits)
        let gone = try ruled.find(records: [], listed: listed("avatar/original/raw/a.jpg", "avatar/original/.hidden/b.jpg",
                                                              "avatar/original/._c.jpg", "avatar/original/x/@eaDir/d.jpg"), keysAreExact: true)
        #expect(gone.removals.map(\.key) == ["avatar/original/.hidden/b.jpg"])
    }

    /// --thumbnails 200x300,400x600,200x300.webp: a removed original's thumbnails go from every thumbnail folder
    /// and in every format; a staying original keeps all of its own.
    @Test func thumbnailsOfEveryBoxAndFormatGoWithTheirOriginal() throws {
        var staying = scanned("keep.jpg")
        staying.extraThumbnails = [.init(key: "avatar/thumbnail-400x600/keep.jpg", spec: "400x600")]
        let removed = try removedKeys([staying], listed(
            "avatar/original/keep.jpg", "avatar/thumbnail/keep.jpg", "avatar/thumbnail-400x600/keep.jpg", "avatar/thumbnail/keep.webp",
            "avatar/original/gone.png", "avatar/thumbnail/gone.jpg", "avatar/thumbnail-400x600/gone.jpg", "avatar/thumbnail/gone.webp",
            "avatar/thumbnail-400x600/gone.avif", "avatar/thumbnail-big/gone.jpg", "avatar/thumbnail/gone.txt"))
        #expect(removed == ["avatar/original/gone.png", "avatar/thumbnail-400x600/gone.avif", "avatar/thumbnail-400x600/gone.jpg",
                            "avatar/thumbnail/gone.jpg", "avatar/thumbnail/gone.webp"])
        #expect(KeyScope(prefix: "avatar").mayDelete("avatar/thumbnail-400x600/a.webp"))
        #expect(!KeyScope(prefix: "avatar").mayDelete("avatar/thumbnail-big/a.jpg"))
        #expect(!KeyScope(prefix: "avatar").mayDelete("avatar/other/a.jpg"))
    }

    /// SeaweedFS stores `x\y.jpg` as `x/y.jpg`: the image that is still there keeps the key as listed.
    @Test func aKeyTheServerStoresUnderAnotherNameStays() throws {
        let removed = try removedKeys([scanned("x\\y.jpg")], listed("avatar/original/x/y.jpg", "avatar/thumbnail/x/y.jpg"))
        #expect(removed.isEmpty)
    }

    @Test func keysAreComparedByTheirBytes() throws {
        // The file is José.jpg in NFC; the bucket also holds the NFD twin, whose file is gone.
        let nfc = "Jos\u{E9}.jpg", nfd = "Jose\u{301}.jpg"
        let removed = try removedKeys([scanned(nfc)], listed("avatar/original/" + nfc, "avatar/original/" + nfd,
                                                             "avatar/thumbnail/Jos\u{E9}.jpg", "avatar/thumbnail/Jose\u{301}.jpg"))
        #expect(removed.map { Array($0.utf8) } == [Array(("avatar/original/" + nfd).utf8), Array(("avatar/thumbnail/" + nfd).utf8)])
    }

    @Test func aListingThatMayHaveAlteredAKeyKeepsIt() throws {
        let result = try finder.find(records: [], listed: listed("avatar/original/a\u{FFFD}.jpg", "avatar/original/b.jpg"),
                                     keysAreExact: false)
        #expect(result.removals.map(\.key) == ["avatar/original/b.jpg"])
        #expect(result.uncertain == ["avatar/original/a\u{FFFD}.jpg"])
        #expect(try removedKeys([], listed("avatar/original/a\u{FFFD}.jpg"), exact: true) == ["avatar/original/a\u{FFFD}.jpg"])
    }

    @Test func aListingInOverlappingPartsRemovesEachKeyOnce() throws {
        #expect(try removedKeys([], listed("avatar/original/a.jpg", "avatar/original/a.jpg")) == ["avatar/original/a.jpg"])
    }

    @Test func recordsOfAnotherPrefixAreRefused() throws {
        let profile = ImageRecord(path: "/p/a.jpg", rel: "a.jpg", key: "profile/original/a.jpg", thumbnailKey: "profile/thumbnail/a.jpg")
        #expect(throws: RemovalFinder.Problem.recordOutsidePrefix(rel: "a.jpg", key: "profile/original/a.jpg", folder: "avatar/original/")) {
            try finder.find(records: [profile], listed: listed("avatar/original/a.jpg"), keysAreExact: true)
        }
        var wrongThumbnail = scanned("a.jpg")
        wrongThumbnail.thumbnailKey = "avatar/original/a.jpg"
        #expect(throws: RemovalFinder.Problem.self) { try finder.find(records: [wrongThumbnail], listed: [], keysAreExact: true) }
    }

    /// --prune-orphans: the records are the bucket's originals themselves; an original listed later (uploaded
    /// meanwhile) is new, not gone, and keeps its thumbnails; only thumbnails that no original owns go.
    @Test func withOriginalsStayingOnlyOrphanedThumbnailsGo() throws {
        var orphans = finder
        orphans.originalsStay = true
        let removed = try orphans.find(records: [scanned("a.jpg")], listed: listed(
            "avatar/original/a.jpg", "avatar/original/new.png", "avatar/thumbnail/a.jpg", "avatar/thumbnail/new.jpg",
            "avatar/thumbnail-400x600/new.webp", "avatar/thumbnail/gone.jpg", "avatar/thumbnail-400x600/gone.webp"), keysAreExact: true)
        #expect(removed.removals.map(\.key) == ["avatar/thumbnail-400x600/gone.webp", "avatar/thumbnail/gone.jpg"])
        #expect(removed.removals.allSatisfy { $0.kind == .thumbnail })
    }
}
