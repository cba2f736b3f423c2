@testable import Common
import Foundation
import TestSupport
import Testing

/// Keys holding characters XML 1.0 cannot carry (`\x01`, `\x1B`, U+FFFE): a ListObjectsV2 answer without
/// `encoding-type=url` turns them into U+FFFD (SeaweedFS) or sends them raw (moto); either way they must be
/// decided exactly, or such images are uploaded again on every run.
@Suite(.integrationTimeLimit) struct ControlCharacterKeyTests {
    /// Linux allows such file names; the plain one is there for comparison.
    static let names = ["a\u{01}b.jpg", "c\u{1B}d.jpg", "e\u{FFFE}f.jpg", "plain.jpg"]

    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test(arguments: [Harness.Server.seaweedfs, .moto])
    func imagesWithSuchNamesAreSkippedOnceUploaded(server: Harness.Server) throws {
        let bucket = try TestBucket("ctrl", on: server)
        let photos = try TemporaryDirectory()
        for name in Self.names { try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: name) }
        let work = try TemporaryDirectory()
        let upload = try Shell.run("img-scan \(photos.path) | img-thumb --out \(work.path)/thumbs | spaces-put --env-file \(bucket.envFile)")
        try #require(upload.status == 0, "\(upload.stderr)")
        let stored = try bucket.objectList()
        #expect(stored.count == 8)
        for name in Self.names {
            #expect(stored.exactly("avatar/original/\(name)") != nil, "\(bytes(name))")
            #expect(stored.exactly("avatar/thumbnail/\(name)") != nil, "\(bytes(name))")
        }

        for strategy in ["list", "auto", "head"] {
            let run = try Shell.run("img-scan \(photos.path) | spaces-exists --strategy \(strategy) --env-file \(bucket.envFile)")
            #expect(run.status == 0, "\(run.stderr)")
            let pending = try run.records().filter { $0.status != .skipped }.map { bytes($0.rel) }
            #expect(pending.isEmpty, "\(strategy): not skipped: \(pending)")
        }
        let again = try Shell.run("img-scan \(photos.path) | spaces-exists --env-file \(bucket.envFile)"
                                  + " | img-thumb --out \(work.path)/thumbs | spaces-put --debug --env-file \(bucket.envFile)")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try again.records().allSatisfy { $0.status == .skipped }, "\(again.stdout)")
        #expect(again.counts(of: "request", where: "spaces-put: debug:") == [0], "a second run uploads nothing: \(again.stderr)")
    }

    /// A server that ignores `encoding-type=url`, played by a client that does not ask for it, against SeaweedFS,
    /// which then sends U+FFFD for what XML cannot carry: the images whose keys the listing cannot answer for are
    /// decided by HEAD, the others from the listing, and every one is found.
    @Test func withoutURLEncodingSuchKeysAreDecidedByHead() throws {
        let bucket = try TestBucket("ctrlhead")
        let photos = try TemporaryDirectory()
        for name in Self.names { try photos.copy(Corpus.file("jpeg/jpeg-1x1.jpg"), to: name) }
        let work = try TemporaryDirectory()
        let upload = try Shell.run("img-scan \(photos.path) | img-thumb --out \(work.path)/thumbs | spaces-put --env-file \(bucket.envFile)")
        try #require(upload.status == 0, "\(upload.stderr)")
        let records = try Shell.run("img-scan \(photos.path)").records()
        let client = try bucket.client()
        client.urlEncodedListings = false
        for strategy in [ExistenceChecker.Strategy.list, .auto] {
            let before = client.requestCount
            let checker = ExistenceChecker(client: client, strategy: strategy, checksum: false, warn: { Issue.record("\($0)") })
            let decided = try checker.check(records)
            let pending = decided.filter { $0.status != .skipped }.map { bytes($0.rel) }
            #expect(pending.isEmpty, "\(strategy): not skipped: \(pending)")
            // The listing (auto: one page; list: seeking, on a connection of its own), then for each of the
            // three awkward names a LIST of the originals sharing its stem (SharedThumbnail) and a HEAD of the
            // original and of the thumbnail.
            let listed = strategy == .auto ? 1 : 0
            #expect(client.requestCount - before == listed + 3 * 3, "\(strategy)")
            #expect(strategy == .auto || checker.extraRequests >= 1, "\(strategy)")
        }
    }

    /// A listing in small pages goes on past pages that end with such keys, and gives each key back exactly.
    /// (SeaweedFS makes its continuation token of the page's last key with U+FFFD in place of what XML cannot
    /// carry: following it skips the rest of the folder.) A listing that seeks to such keys, in parts, does the same.
    @Test(arguments: [Harness.Server.seaweedfs, .moto])
    func everyPageIsFollowedPastSuchKeys(server: Harness.Server) throws {
        let bucket = try TestBucket("ctrllist", on: server)
        let client = try bucket.client()
        let files = try TemporaryDirectory()
        let keys = ["k/c\u{01}.jpg", "k/c\u{1B}d.jpg", "k/cat.jpg", "k/cz.jpg", "k/e\u{FFFE}f.jpg", "k/Jos\u{E9}.jpg",
                    "k/Jose\u{301}.jpg", "k/sp ace+plus%.jpg", "k/z.jpg"]
        for key in keys + ["l/outside.jpg"] { _ = try S3ClientTests().upload(client, key, key, in: files) }
        let expected = keys.map(bytes).sorted { $0.lexicographicallyPrecedes($1) }
        for pageSize in [1, 2, 1000] {
            let listed = try client.listAllObjects(prefix: "k/", pageSize: pageSize)
            #expect(listed.map { bytes($0.key) } == expected, "pages of \(pageSize)")
            #expect(listed.allSatisfy { $0.size == $0.key.utf8.count }, "pages of \(pageSize)")
        }
        // A listing that seeks to the keys, in parts of pages of two or one, finds each exactly.
        let checker = ExistenceChecker(client: client, strategy: .list, checksum: false, warn: { Issue.record("\($0)") })
        for pageSize in [2, 1] {
            checker.pageSize = pageSize
            let wanted = keys.enumerated().filter { $0.offset % 3 != 1 }.map(\.element)
            let found = try checker.objects(of: SeekListing(wants: (wanted + ["k/c\u{01}missing.jpg"]).map { SeekListing.Want(key: $0) }))
            #expect(found.objects.map { bytes($0.key) }.sorted { $0.lexicographicallyPrecedes($1) }
                    == wanted.map(bytes).sorted { $0.lexicographicallyPrecedes($1) }, "pages of \(pageSize)")
        }
    }
}
