import Crypto
import Foundation
import TestSupport
import Testing
@testable import Common

/// AWS's published S3 examples: https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
@Suite(.unitTimeLimit) struct SigV4SignerTests {
    let signer = SigV4Signer(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             region: "us-east-1")
    /// 2013-05-24T00:00:00Z, the examples' fixed date.
    let date = Date(timeIntervalSince1970: 1_369_353_600)
    let host = "examplebucket.s3.amazonaws.com"

    func signature(_ headers: [String: String]) -> String? {
        headers["Authorization"]?.components(separatedBy: "Signature=").last
    }

    @Test func getObjectWithRange() {
        let signed = signer.sign(.init(method: "GET", encodedPath: "/test.txt",
                                       headers: ["host": host, "range": "bytes=0-9"],
                                       payloadHash: SigV4Signer.emptyPayloadHash), at: date)
        #expect(signed["Authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        #expect(signed["x-amz-date"] == "20130524T000000Z")
    }

    @Test func putObjectWithDollarInKey() {
        let body = Data("Welcome to Amazon S3.".utf8)
        let hash = "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
        let path = "/" + URIEncoding.encode("test$file.text", keepSlash: true)
        #expect(path == "/test%24file.text")
        let signed = signer.sign(.init(method: "PUT", encodedPath: path,
                                       headers: ["Host": host, "Date": "Fri, 24 May 2013 00:00:00 GMT",
                                                 "x-amz-storage-class": "REDUCED_REDUNDANCY"],
                                       payloadHash: hash), at: date)
        // The published payload hash is that of the example's body: the signature below covers these bytes.
        #expect(Data(SHA256.hash(data: body)).hexString == hash)
        #expect(signature(signed) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
        #expect(signed["Authorization"]!.contains("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"))
    }

    @Test func getBucketLifecycleWithEmptyQueryValue() {
        let signed = signer.sign(.init(method: "GET", encodedPath: "/", query: [("lifecycle", "")],
                                       headers: ["host": host], payloadHash: SigV4Signer.emptyPayloadHash), at: date)
        #expect(signature(signed) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func listObjectsWithSortedQuery() {
        // Given out of order: the canonical query must sort them.
        let signed = signer.sign(.init(method: "GET", encodedPath: "/", query: [("prefix", "J"), ("max-keys", "2")],
                                       headers: ["host": host], payloadHash: SigV4Signer.emptyPayloadHash), at: date)
        #expect(signature(signed) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func canonicalRequestOfTheGetExample() {
        var headers = ["host": host, "range": "bytes=0-9"]
        headers["x-amz-date"] = "20130524T000000Z"
        headers["x-amz-content-sha256"] = SigV4Signer.emptyPayloadHash
        let canonical = signer.canonicalRequest(.init(method: "GET", encodedPath: "/test.txt", headers: headers,
                                                      payloadHash: SigV4Signer.emptyPayloadHash))
        #expect(canonical == """
            GET
            /test.txt

            host:examplebucket.s3.amazonaws.com
            range:bytes=0-9
            x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            x-amz-date:20130524T000000Z

            host;range;x-amz-content-sha256;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
    }

    @Test func headerValuesAreTrimmedAndSpacesFolded() {
        #expect(SigV4Signer.foldSpaces("  a   b  c ") == "a b c")
    }

    @Test func theSecretNeverAppearsInTheSignedHeaders() {
        let signed = signer.sign(.init(method: "GET", encodedPath: "/", headers: ["host": host],
                                       payloadHash: SigV4Signer.emptyPayloadHash), at: date)
        for value in signed.values { #expect(!value.contains("wJalrXUtnFEMI")) }
    }

    @Test func timestampsAreUTC() {
        let stamps = SigV4Signer.timestamps(Date(timeIntervalSince1970: 1_764_028_799))  // 2025-11-24T23:59:59Z
        #expect(stamps.amzDate == "20251124T235959Z")
        #expect(stamps.dateStamp == "20251124")
    }
}
