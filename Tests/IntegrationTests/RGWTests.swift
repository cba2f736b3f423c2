import Common
import Foundation
import TestSupport
import Testing

/// What only Ceph's RADOS Gateway (what Spaces runs on) shows: ACLs enforced as users meet them, throttling
/// answered with 503 SlowDown, virtual-hosted buckets, and error bodies without a message. The S3-facing
/// tests of the other suites run on it too (`Harness.Server.s3Servers`).
@Suite(.integrationTimeLimit) struct RGWTests {
    func photos() throws -> TemporaryDirectory {
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        try photos.copy(Corpus.file("png/png-palette-trns.png"), to: "team/b c+d.png")
        try photos.copy(Corpus.file("photos/webp-lossy-photo.webp"), to: "ü/é.webp")
        return photos
    }

    /// An anonymous GET (curl, no credentials) of `url`: the HTTP status and the body's MD5.
    func anonymousGet(_ url: String) throws -> (status: Int, md5: String) {
        let scratch = try TemporaryDirectory()
        let run = try Shell.run("curl -s -o \(scratch.path)/body -w '%{http_code}' \(Shell.quote(url))")
        let body = (try? Data(contentsOf: URL(fileURLWithPath: scratch.path + "/body"))) ?? Data()
        return (Int(run.stdout) ?? 0, md5Hex(body))
    }

    /// SPACES_ACL=public-read: every result URL, originals and thumbnails, serves the file's bytes to anyone.
    /// private: an anonymous GET gets 403, while a signed GET (boto3) reads the same bytes.
    @Test(arguments: ["public-read", "private"])
    func aclsAreWhatAnAnonymousGetMeets(_ acl: String) throws {
        let bucket = try TestBucket("acl\(acl.prefix(3))", on: .rgw)
        let images = try photos()
        let thumbs = try TemporaryDirectory()
        let run = try Shell.run("img-scan \(images.path) | img-thumb --out \(thumbs.path) 2>/dev/null | "
                                + "spaces-put --keep-thumbnails --env-file \(bucket.envFile)", environment: ["SPACES_ACL": acl])
        #expect(run.status == 0, "\(run.stderr)")
        let records = try run.records()
        #expect(records.count == 3 && records.allSatisfy { $0.status == .uploaded })
        let stored = try bucket.objects()
        for record in records {
            let originalMD5 = try FileDigest.compute(path: record.path).md5.hexString
            let thumbnailMD5 = try FileDigest.compute(path: record.thumbnailPath!).md5.hexString
            for (url, md5, key) in [(record.url!, originalMD5, record.key!), (record.thumbnailUrl!, thumbnailMD5, record.thumbnailKey!)] {
                let fetched = try anonymousGet(url)
                if acl == "public-read" {
                    #expect(fetched.status == 200 && fetched.md5 == md5, "\(url): \(fetched.status)")
                } else {
                    #expect(fetched.status == 403, "\(url): \(fetched.status)")
                }
                #expect(stored[key]?.md5 == md5, "a signed GET reads \(key)")
            }
        }
    }

    /// RGW allowed two requests in flight answers the rest 503 SlowDown (no Retry-After), as Spaces does under
    /// load: upload-images at 8 workers retries them, and every object arrives whole. A server of its own,
    /// so that the throttling reaches no other test.
    @Test func aThrottledGatewayCostsRetriesNotImages() throws {
        let server = try TemporaryDirectory()
        let started = try Shell.run("\(Harness.packageRoot)/scripts/local-s3 start \(server.path)/rgw rgw")
        try #require(started.status == 0, "\(started.stderr)")
        defer { _ = try? Shell.run("\(Harness.packageRoot)/scripts/local-s3 stop \(server.path)/rgw") }
        let env = server.path + "/rgw/spaces.env"
        let name = "throttled-\(UInt32.random(in: 0...UInt32.max))"
        try #require(try Shell.run("\(Harness.s3tool) --env \(env) mkbucket \(name)").status == 0)
        try #require(try Shell.run("\(Harness.packageRoot)/scripts/local-s3 throttle \(server.path)/rgw 2").status == 0)
        let images = try TemporaryDirectory()
        for index in 0..<48 { try images.copy(Corpus.file("exif/exif-orient-1.jpg"), to: "p\(index).jpg") }
        let folder = try TemporaryDirectory()
        let run = try Shell.run("\(UploadImagesTests.script) \(images.path) --workers 8 --retries 8 --debug --env-file \(env)",
                                environment: ["SPACES_BUCKET": name, "TMPDIR": folder.path], directory: folder.path)
        #expect(run.status == 0, "\(run.stderr.suffix(800))")
        let log = try String(contentsOfFile: try #require(try UploadImagesTests().newest("upload_log_", in: folder)), encoding: .utf8)
        let slowDowns = log.components(separatedBy: "-> 503").count - 1
        #expect(slowDowns > 0, "the gateway never throttled: the test proves nothing")
        let listed = try Shell.run("\(Harness.s3tool) --env \(env) objects \(name) ''", environment: ["SPACES_BUCKET": name])
        let stored = try StoredObject.byKey(listing: listed.stdout)
        let md5 = try FileDigest.compute(path: Corpus.file("exif/exif-orient-1.jpg")).md5.hexString
        #expect(stored.count == 96 && stored.filter { $0.key.contains("/original/") }.allSatisfy { $0.value.md5 == md5 })
        #expect(stored.filter { $0.key.contains("/thumbnail/") }.allSatisfy { $0.value.whole_jpeg })
        print("RGW throttled to 2 requests in flight: \(slowDowns) SlowDown answers retried, 48 images (96 objects) whole")
    }

    /// The bucket in the host name, as on Spaces (`BUCKET.nyc3.digitaloceanspaces.com`): the names resolve to
    /// 127.0.0.1 in a mount namespace of the test's own, where /etc/hosts says so.
    @Test func theBucketIsInTheHostName() throws {
        let bucket = try TestBucket("vhost", on: .rgw)
        let port = try #require(URLComponents(string: bucket.settings["SPACES_ENDPOINT"]!)?.port)
        let images = try photos()
        let folder = try TemporaryDirectory()
        let hosts = try folder.write("hosts", Data("127.0.0.1 localhost nyc3.digitaloceanspaces.com \(bucket.name).nyc3.digitaloceanspaces.com\n".utf8))
        var settings = bucket.settings
        settings["SPACES_ENDPOINT"] = "http://nyc3.digitaloceanspaces.com:\(port)"
        settings["SPACES_REGION"] = "nyc3"
        settings["SPACES_PATH_STYLE"] = "false"
        settings["SPACES_ACL"] = "public-read"
        let env = try folder.write("spaces.env", Data(settings.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n").utf8))
        chmod(env, 0o600)
        let run = try Shell.run("""
            unshare -m bash -c 'mount --bind \(hosts) /etc/hosts && img-scan \(images.path) | img-thumb --out \(folder.path)/t \
            | spaces-put --debug --env-file \(env) > results.jsonl && jq -r "select(.status) | .url, .thumbnail_url" results.jsonl \
            | while read -r url; do curl -s "$url" | md5sum | cut -c1-32; done'
            """, directory: folder.path)
        #expect(run.status == 0, "\(run.stderr)")
        let records = try Shell.records(in: String(contentsOfFile: folder.path + "/results.jsonl", encoding: .utf8))
        #expect(records.count == 3 && records.allSatisfy { $0.status == .uploaded })
        let base = "http://\(bucket.name).nyc3.digitaloceanspaces.com:\(port)/"
        #expect(records.allSatisfy { $0.url!.hasPrefix(base) && $0.thumbnailUrl!.hasPrefix(base) }, "\(records.map { $0.url ?? "" })")
        // Fetched anonymously by those virtual-hosted URLs, every object is the file's bytes.
        let expected = try records.flatMap { [try FileDigest.compute(path: $0.path).md5.hexString, $0.thumbnailEtag!] }
        #expect(run.lines == expected)
        #expect(try bucket.objects().count == 6)
    }

    /// RGW's error bodies carry an empty `<Message>`: a wrong secret says what to check, not a bare colon.
    @Test func aWrongSecretSaysWhatToCheck() throws {
        let bucket = try TestBucket("secret", on: .rgw)
        let images = try photos()
        for command in ["img-scan \(images.path) | spaces-put --env-file \(bucket.envFile)",
                        "spaces-put --check --env-file \(bucket.envFile) < /dev/null"] {
            let run = try Shell.run(command, environment: ["SPACES_SECRET_KEY": "wrong"])
            #expect(run.status == 2)
            let line = run.stderr.split(separator: "\n").first { $0.contains("error:") }.map(String.init) ?? ""
            #expect(line.contains("Failed to authenticate with the S3 server at http://127.0.0.1:") && line.hasSuffix("check SPACES_ACCESS_KEY, SPACES_SECRET_KEY and SPACES_REGION)"),
                    "\(command): \(run.stderr)")
            #expect(!line.hasSuffix(":") && !line.hasSuffix(": "))
        }
    }
}
