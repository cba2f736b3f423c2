import Common
import Crypto
import Foundation
import TestSupport
import Testing

/// The S3 operations of the library, against the real server.
@Suite(.integrationTimeLimit) struct S3ClientTests {
    func upload(_ client: S3Client, _ key: String, _ contents: String, in dir: TemporaryDirectory) throws -> FileDigest {
        let file = try dir.write(UUID().uuidString, Data(contents.utf8))
        let digest = try FileDigest.compute(path: file)
        _ = try client.putObject(key: key, file: file, digest: digest, contentType: "text/plain")
        return digest
    }

    @Test(arguments: Harness.Server.s3Servers) func headBucketProvesCredentialsAndBucket(server: Harness.Server) throws {
        let bucket = try TestBucket("head", on: server)
        try bucket.client().headBucket()

        var missing = bucket.settings
        missing["SPACES_BUCKET"] = "missing-\(UInt32.random(in: 0...UInt32.max))"
        let noBucket = try S3Client(config: SpacesConfig.resolve(missing))
        #expect(throws: S3Error.self) { try noBucket.headBucket() }
        do { try noBucket.headBucket() } catch { #expect(error.description.hasPrefix("Bucket not found: missing-")) }

        var wrong = bucket.settings
        wrong["SPACES_SECRET_KEY"] = "wrong"
        let badKey = try S3Client(config: SpacesConfig.resolve(wrong))
        do {
            try badKey.headBucket()
            Issue.record("a wrong secret was accepted")
        } catch {
            #expect(error.isFatal)
            #expect(error.description.hasPrefix("Failed to authenticate with the S3 server at http://127.0.0.1:"))
        }
        #expect(badKey.requestCount == 1)
    }

    @Test(arguments: Harness.Server.s3Servers) func headObjectTellsSizeAndETagOrNil(server: Harness.Server) throws {
        let bucket = try TestBucket("headobj", on: server)
        let client = try bucket.client()
        let dir = try TemporaryDirectory()
        let digest = try upload(client, "dir/a b+c.txt", "hello", in: dir)
        let info = try #require(try client.headObject(key: "dir/a b+c.txt"))
        #expect(info.size == 5)
        #expect(info.etag == digest.md5.hexString)
        #expect(info.contentType == "text/plain")
        #expect(try client.headObject(key: "dir/absent.txt") == nil)
    }

    @Test(arguments: Harness.Server.s3Servers) func listFollowsEveryPageAndKeepsKeysExact(server: Harness.Server) throws {
        let bucket = try TestBucket("list", on: server)
        let client = try bucket.client()
        let dir = try TemporaryDirectory()
        let keys = ["p/a.txt", "p/b & c.txt", "p/é/😀.txt", "p/sub/d+e=f.txt", "p/z%20.txt", "q/outside.txt"]
        for key in keys { _ = try upload(client, key, key, in: dir) }
        let before = client.requestCount
        let listed = try client.listAllObjects(prefix: "p/", pageSize: 2)
        #expect(listed.map(\.key).sorted() == keys.filter { $0.hasPrefix("p/") }.sorted())
        #expect(client.requestCount - before == 3)
        let first = try #require(listed.first { $0.key == "p/a.txt" })
        #expect(first.size == 7)
        #expect(first.etag == md5Hex("p/a.txt"))
        #expect(try client.listAllObjects(prefix: "nothing/").isEmpty)
    }

    @Test(arguments: Harness.Server.s3Servers) func aBodyThatDoesNotMatchItsMD5IsRefusedAndNothingIsStored(server: Harness.Server) throws {
        let bucket = try TestBucket("md5", on: server)
        let client = try bucket.client()
        let dir = try TemporaryDirectory()
        let file = try dir.write("a.txt", Data("the real bytes".utf8))
        var digest = try FileDigest.compute(path: file)
        digest.md5 = Data(Insecure.MD5.hash(data: Data("other bytes".utf8)))
        #expect(throws: S3Error.self) {
            try client.putObject(key: "a.txt", file: file, digest: digest, contentType: "text/plain")
        }
        #expect(try client.headObject(key: "a.txt") == nil)
    }

    @Test func cannedACLsAreSentAndRecorded() throws {
        // SeaweedFS ignores ACLs; moto's server records them.
        let bucket = try TestBucket("acl", on: .moto)
        let photos = try TemporaryDirectory()
        try photos.copy(Harness.corpus + "/gif/gif-1x1.gif", to: "a.gif")
        let everyone = "http://acs.amazonaws.com/groups/global/AllUsers"

        let publicRun = try Shell.run("img-scan --prefix pub \(photos.path) | spaces-put --prefix pub --env-file \(bucket.envFile)",
                                      environment: ["SPACES_ACL": "public-read"])
        #expect(publicRun.status == 0, "\(publicRun.stderr)")
        #expect(try bucket.grants("pub/original/a.gif").contains([everyone, "READ"]))

        let privateRun = try Shell.run("img-scan --prefix priv \(photos.path) | spaces-put --prefix priv --env-file \(bucket.envFile)")
        #expect(privateRun.status == 0, "\(privateRun.stderr)")
        let grants = try bucket.grants("priv/original/a.gif")
        #expect(!grants.isEmpty && !grants.contains { $0.first == everyone })
    }
}
