@testable import Common
import Foundation
import TestSupport
import Testing

@Suite(.unitTimeLimit) struct S3ErrorTests {
    /// Ceph's RADOS Gateway (what Spaces runs on) sends `<Message></Message>`: the line must not end in a
    /// colon, and must say what to check.
    @Test func anAuthenticationFailureWithoutAMessageSaysWhatToCheck() {
        let detail = S3Error.authenticationDetail(code: "SignatureDoesNotMatch", message: "")
        let spaces = S3Error.serverName(endpoint: "https://nyc3.digitaloceanspaces.com", isSpaces: true)
        #expect(S3Error.authentication(detail, server: spaces).description
                == "Failed to authenticate with DigitalOcean Spaces at https://nyc3.digitaloceanspaces.com: SignatureDoesNotMatch (the server gave no reason: check SPACES_ACCESS_KEY, SPACES_SECRET_KEY and SPACES_REGION)")
        // Any other server is named by its endpoint, not as DigitalOcean Spaces.
        #expect(S3Error.authentication(detail, server: S3Error.serverName(endpoint: "http://127.0.0.1:9000", isSpaces: false)).description
                .hasPrefix("Failed to authenticate with the S3 server at http://127.0.0.1:9000: SignatureDoesNotMatch"))
        #expect(S3Error.authenticationDetail(code: "InvalidAccessKeyId", message: nil).contains("check SPACES_ACCESS_KEY"))
        #expect(S3Error.authenticationDetail(code: "AccessDenied", message: "Access Denied") == "AccessDenied: Access Denied")
    }

    @Test func anRGWErrorBodyWithAnEmptyMessageParses() {
        let xml = #"<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message></Message><BucketName>b</BucketName><RequestId>tx00000000000001037eae3-0059ae1784-8e28-nyc3a</RequestId><HostId>8e28-nyc3a-nyc3</HostId></Error>"#
        let body = S3ErrorBody(xml: Data(xml.utf8))
        #expect(body.code == "SignatureDoesNotMatch")
        #expect(body.message ?? "" == "")
        #expect(body.requestId == "tx00000000000001037eae3-0059ae1784-8e28-nyc3a")
    }

    @Test func aFailedPreflightNamesThrottlingAndSilence() {
        let endpoint = "https://nyc3.digitaloceanspaces.com"
        let throttled = PreflightFailure(error: .service(status: 503, code: "SlowDown", message: nil, requestId: "tx1", attempts: 4), endpoint: endpoint)
        #expect(throttled.description.hasPrefix("the service at \(endpoint) is throttling requests (HTTP 503 SlowDown"))
        let tooMany = PreflightFailure(error: .service(status: 429, code: nil, message: nil, requestId: nil, attempts: 2), endpoint: endpoint)
        #expect(tooMany.description.contains("is throttling requests"))
        let broken = PreflightFailure(error: .service(status: 500, code: "InternalError", message: nil, requestId: nil, attempts: 4), endpoint: endpoint)
        #expect(broken.description.contains("is not answering normally (HTTP 500 InternalError"))
        let silent = PreflightFailure(error: .transport("timed out: no data moved for 1 s", attempts: 1), endpoint: endpoint)
        #expect(silent.description == "the server at \(endpoint) is not answering (timed out: no data moved for 1 s): check SPACES_ENDPOINT and the network, or try again later")
        // Anything else keeps its own wording.
        let bucket = PreflightFailure(error: .noSuchBucket("photos"), endpoint: endpoint)
        #expect(bucket.description == S3Error.noSuchBucket("photos").description)
    }
}
