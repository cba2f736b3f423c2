import Common
import Foundation
import TestSupport
import Testing

/// `--meta KEY=VALUE` and `--content-disposition`, read back from the stored objects by boto3's head_object, on
/// SeaweedFS and on Ceph's RADOS Gateway (what Spaces runs on), which both check the signatures they are in.
@Suite(.integrationTimeLimit) struct MetadataTests {
    struct Head: Decodable {
        var metadata: [String: String]
        var content_disposition: String?
    }

    func head(_ key: String, in bucket: TestBucket) throws -> Head {
        let run = try Shell.run("\(Harness.s3tool) --env \(Shell.quote(bucket.envFile)) head \(bucket.name) \(Shell.quote(key))")
        try #require(run.status == 0, "head_object \(key) failed: \(run.stderr)")
        return try JSONDecoder().decode(Head.self, from: Data(run.stdout.utf8))
    }

    static let options = "--meta Photographer='Jane  Doe' --meta licence=CC-BY-4.0 --meta note='a=b; \"c\" <d> ~' "
        + "--content-disposition 'attachment; filename=\"a b.jpg\"'"
    static let expected = ["photographer": "Jane  Doe", "licence": "CC-BY-4.0", "note": "a=b; \"c\" <d> ~"]

    /// Keys come back lowercase, values byte for byte (the inner double space too, which the signature folds).
    @Test(arguments: Harness.Server.s3Servers)
    func spacesPutStoresMetadataOnBothAndTheDispositionOnOriginals(server: Harness.Server) throws {
        let bucket = try TestBucket("meta", on: server)
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        let thumbs = try TemporaryDirectory()
        let run = try Shell.run("img-scan \(Shell.quote(photos.path)) | img-thumb --out \(Shell.quote(thumbs.path)) "
                                + "| spaces-put --env-file \(bucket.envFile) \(Self.options)")
        #expect(run.status == 0, "\(run.stderr)")
        let original = try head("avatar/original/a.jpg", in: bucket)
        #expect(original.metadata == Self.expected)
        #expect(original.content_disposition == "attachment; filename=\"a b.jpg\"")
        let thumbnail = try head("avatar/thumbnail/a.jpg", in: bucket)
        #expect(thumbnail.metadata == Self.expected)
        #expect(thumbnail.content_disposition == nil)
    }

    /// upload-images hands them to every batch's spaces-put.
    @Test(arguments: Harness.Server.s3Servers)
    func uploadImagesPassesThemOn(server: Harness.Server) throws {
        let bucket = try TestBucket("metarun", on: server)
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        for name in ["a.jpg", "sub/b.jpg", "c.jpg"] { try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: name) }
        let run = try Shell.run("\(UploadImagesTests.script) \(Shell.quote(photos.path)) --env-file \(bucket.envFile) "
                                + "--workers 2 --batch-size 1 \(Self.options)",
                                environment: ["TMPDIR": folder.path], directory: folder.path)
        #expect(run.status == 0, "\(run.stderr)")
        for rel in ["a.jpg", "sub/b.jpg", "c.jpg"] {
            let original = try head("avatar/original/" + rel, in: bucket)
            #expect(original.metadata == Self.expected && original.content_disposition == "attachment; filename=\"a b.jpg\"", "\(rel)")
            let thumbnail = try head("avatar/thumbnail/" + rel, in: bucket)
            #expect(thumbnail.metadata == Self.expected && thumbnail.content_disposition == nil, "\(rel)")
        }
    }

    /// Refused with the same line by spaces-put and upload-images, before any work.
    @Test(arguments: [
        ("--meta user_id=42", "--meta KEY must be ASCII letters, digits and '-' (got 'user_id'; '_' would be stored as '-' by Spaces' RADOS Gateway)"),
        ("--meta a.b=c", "--meta KEY must be ASCII letters, digits and '-' (got 'a.b')"),
        ("--meta novalue", "--meta must be KEY=VALUE (got 'novalue')"),
        ("--meta a=", "--meta a=VALUE: VALUE must be printable US-ASCII"),
        ("--meta 'a= x'", "--meta a=VALUE: VALUE must be printable US-ASCII"),
        ("--meta a=café", "--meta a=VALUE: VALUE must be printable US-ASCII"),
        ("--meta \"$(printf 'a=x\\ty')\"", "--meta a=VALUE: VALUE must be printable US-ASCII"),
        ("--meta A=1 --meta a=2", "--meta a is given twice (keys are stored lowercase)"),
        ("--meta Md5=x", "--meta md5 is reserved: spaces-put stores the MD5 of every original uploaded in parts under it"),
        ("--meta k=$(printf '%02048d' 0)", "--meta keys and values come to 2049 bytes, over the 2048 that S3 allows"),
        ("--content-disposition ''", "--content-disposition must be printable US-ASCII"),
        ("--content-disposition \"$(printf 'inline\\r\\nx-amz-acl: public-read')\"", "--content-disposition must be printable US-ASCII"),
    ])
    func badMetadataIsAUsageError(_ arguments: String, _ message: String) throws {
        let put = try Shell.run("spaces-put \(arguments) </dev/null")
        #expect(put.status == 64 && put.stderr.hasPrefix("Error: \(message)"), "\(arguments): \(put.stderr)")
        let bucket = try TestBucket("metausage")
        let folder = try TemporaryDirectory()
        let photos = try TemporaryDirectory()
        try photos.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "a.jpg")
        let run = try Shell.run("\(UploadImagesTests.script) \(Shell.quote(photos.path)) --env-file \(bucket.envFile) \(arguments)",
                                directory: folder.path)
        #expect(run.status == 64 && run.stderr.hasPrefix("upload-images: \(message)"), "\(arguments): \(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(arguments): \(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(try bucket.objects().isEmpty)
    }
}
