import Crypto
import Foundation
import TestSupport
import Testing
@testable import Common

/// `--meta KEY=VALUE` and `--content-disposition`: what is accepted, the headers they become, and their signing.
@Suite(.unitTimeLimit) struct ObjectMetadataTests {
    @Test func keysAreStoredLowercaseOnOriginalsAndThumbnailsTheDispositionOnOriginalsOnly() throws {
        let metadata = try ObjectMetadata(meta: ["Photographer=Jane  Doe", "licence=CC-BY-4.0", "x=a=b; c=\"d\" ~"],
                                          contentDisposition: "attachment; filename=\"a b.jpg\"")
        #expect(metadata.userMetadata == ["photographer": "Jane  Doe", "licence": "CC-BY-4.0", "x": "a=b; c=\"d\" ~"])
        #expect(metadata.headers(original: true) == [
            "x-amz-meta-photographer": "Jane  Doe", "x-amz-meta-licence": "CC-BY-4.0", "x-amz-meta-x": "a=b; c=\"d\" ~",
            "content-disposition": "attachment; filename=\"a b.jpg\"",
        ])
        #expect(metadata.headers(original: false) == [
            "x-amz-meta-photographer": "Jane  Doe", "x-amz-meta-licence": "CC-BY-4.0", "x-amz-meta-x": "a=b; c=\"d\" ~",
        ])
        #expect(ObjectMetadata().headers(original: true).isEmpty)
        let largest = try ObjectMetadata(meta: ["k=" + String(repeating: "v", count: 2047)])
        #expect(largest.userMetadata["k"]?.count == 2047)
    }

    /// Each line is also refused by spaces-put and upload-images (MetadataTests).
    @Test(arguments: [
        (["novalue"], "--meta must be KEY=VALUE (got 'novalue')"),
        (["user_id=4"], "--meta KEY must be ASCII letters, digits and '-' (got 'user_id'; '_' would be stored as '-' by Spaces' RADOS Gateway)"),
        (["a.b=c"], "--meta KEY must be ASCII letters, digits and '-' (got 'a.b')"),
        (["=c"], "--meta KEY must be ASCII letters, digits and '-' (got '')"),
        (["clé=v"], "--meta KEY must be ASCII letters, digits and '-' (got 'clé')"),
        (["a="], "--meta a=VALUE: VALUE must be printable US-ASCII, not empty, without leading or trailing spaces"),
        (["a= v"], "--meta a=VALUE: VALUE must be printable US-ASCII, not empty, without leading or trailing spaces"),
        (["a=v "], "--meta a=VALUE: VALUE must be printable US-ASCII, not empty, without leading or trailing spaces"),
        (["a=café"], "--meta a=VALUE: VALUE must be printable US-ASCII, not empty, without leading or trailing spaces"),
        (["a=x\ty"], "--meta a=VALUE: VALUE must be printable US-ASCII, not empty, without leading or trailing spaces"),
        (["a=x\ny"], "--meta a=VALUE: VALUE must be printable US-ASCII, not empty, without leading or trailing spaces"),
        (["A=1", "a=2"], "--meta a is given twice (keys are stored lowercase)"),
        (["MD5=0"], "--meta md5 is reserved: spaces-put stores the MD5 of every original uploaded in parts under it"),
        (["k=" + String(repeating: "v", count: 2048)], "--meta keys and values come to 2049 bytes, over the 2048 that S3 allows"),
    ])
    func refusesWithOneLineNamingTheRule(_ meta: [String], _ message: String) {
        #expect(throws: ObjectMetadata.Problem(message)) { try ObjectMetadata(meta: meta) }
    }

    @Test(arguments: ["", " attachment", "attachment ", "attachment; filename=\"é.jpg\"", "inline\r\nx-amz-acl: public-read"])
    func refusesADispositionThatIsNotPrintableASCII(_ value: String) {
        #expect(throws: ObjectMetadata.Problem("--content-disposition must be printable US-ASCII, not empty, without leading or trailing spaces")) {
            try ObjectMetadata(meta: [], contentDisposition: value)
        }
    }

    /// A PutObject's metadata and disposition are signed, and signed as botocore signs them: the signature
    /// below is botocore's S3SigV4Auth for the same request (AWS's example keys, 2013-05-24T00:00:00Z, the
    /// inner double space folded in the canonical header but sent as given).
    @Test func theirHeadersAreSignedAsBotocoreSignsThem() throws {
        let body = Data("Welcome to Amazon S3.".utf8)
        let digest = FileDigest(size: Int64(body.count), md5: Data(Insecure.MD5.hash(data: body)), sha256: Data(SHA256.hash(data: body)))
        let metadata = try ObjectMetadata(meta: ["photographer=Jane  Doe", "licence=CC-BY-4.0"],
                                          contentDisposition: "attachment; filename=\"a b.jpg\"")
        var headers = S3Client.putHeaders(digest: digest, contentType: "image/jpeg", acl: "public-read", cacheControl: nil,
                                          extraHeaders: metadata.headers(original: true))
        headers["host"] = "examplebucket.s3.amazonaws.com"
        let signer = SigV4Signer(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1")
        let signed = signer.sign(.init(method: "PUT", encodedPath: "/photo.jpg", headers: headers, payloadHash: digest.sha256.hexString),
                                 at: Date(timeIntervalSince1970: 1_369_353_600))
        #expect(signed["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-disposition;content-length;content-md5;content-type;host;x-amz-acl;x-amz-content-sha256;x-amz-date;x-amz-meta-licence;x-amz-meta-photographer,Signature=ba3de8f41b8624b10169d2392873d9714140afbb5a79b426c70eeb6bd372a054")
        #expect(signed["x-amz-meta-photographer"] == "Jane  Doe")
    }
}
