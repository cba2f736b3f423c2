import Foundation
import Testing
@testable import Common
import TestSupport

/// Over HTTPS a body is not hashed into the signature (TLS protects it, Content-MD5 makes the server check it):
/// the file is read once, for its MD5. Over plain HTTP its SHA-256 is signed.
@Suite(.unitTimeLimit) struct S3ClientPayloadTests {
    func client(_ endpoint: String) throws -> S3Client {
        let config = try SpacesConfig.resolve(["SPACES_ACCESS_KEY": "AK", "SPACES_SECRET_KEY": "SK", "SPACES_BUCKET": "photos",
                                               "SPACES_ENDPOINT": endpoint])
        return try S3Client(config: config)
    }

    @Test func onlyPlainHTTPSignsThePayload() throws {
        let sha = Data(repeating: 0xAB, count: 32)
        let https = try client("https://nyc3.digitaloceanspaces.com")
        #expect(!https.signsPayload && https.payloadHash(sha) == "UNSIGNED-PAYLOAD")
        let http = try client("http://127.0.0.1:8333")
        #expect(http.signsPayload && http.payloadHash(sha) == String(repeating: "ab", count: 32))
    }

    @Test func aPartWithoutSHA256IsHashedOnceForItsMD5() throws {
        let folder = try TemporaryDirectory()
        let path = try folder.write("part.bin", Data(repeating: 7, count: 3 << 20))
        let both = try FileDigest.compute(path: path, offset: 1 << 20, length: 1 << 20)
        let md5Only = try FileDigest.compute(path: path, offset: 1 << 20, length: 1 << 20, withSHA256: false)
        #expect(md5Only.md5 == both.md5 && md5Only.sha256.isEmpty && both.sha256.count == 32)
    }
}
