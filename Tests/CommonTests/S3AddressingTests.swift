import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct S3AddressingTests {
    func config(_ endpoint: String, bucket: String = "photos", pathStyle: Bool = false, cdn: String? = nil) throws -> SpacesConfig {
        var vars = ["SPACES_ACCESS_KEY": "AK", "SPACES_SECRET_KEY": "SK", "SPACES_BUCKET": bucket,
                    "SPACES_ENDPOINT": endpoint, "SPACES_PATH_STYLE": pathStyle ? "true" : "false"]
        vars["SPACES_CDN_ENDPOINT"] = cdn
        return try SpacesConfig.resolve(vars)
    }

    @Test func spacesEndpointsUseVirtualHostedURLs() throws {
        let addressing = S3Addressing(config: try config("https://nyc3.digitaloceanspaces.com"))
        let target = addressing.target(key: "avatar/original/a b.jpg")
        #expect(target.url == "https://photos.nyc3.digitaloceanspaces.com/avatar/original/a%20b.jpg")
        #expect(target.host == "photos.nyc3.digitaloceanspaces.com")
        #expect(target.encodedPath == "/avatar/original/a%20b.jpg")
    }

    @Test func dottedBucketsAndOtherEndpointsUsePathStyle() throws {
        let dotted = S3Addressing(config: try config("https://nyc3.digitaloceanspaces.com", bucket: "my.photos"))
        #expect(dotted.target(key: "k").url == "https://nyc3.digitaloceanspaces.com/my.photos/k")
        let local = S3Addressing(config: try config("http://127.0.0.1:8333"))
        #expect(local.target(key: "a+b").url == "http://127.0.0.1:8333/photos/a%2Bb")
        #expect(local.target(key: "a+b").host == "127.0.0.1:8333")
        #expect(local.target(key: nil, query: [("prefix", "a/"), ("list-type", "2")]).url
                == "http://127.0.0.1:8333/photos?list-type=2&prefix=a%2F")
        let forced = S3Addressing(config: try config("https://nyc3.digitaloceanspaces.com", pathStyle: true))
        #expect(!forced.virtualHosted)
    }

    @Test func aSpacesEndpointWithAPortKeepsVirtualHostingAndItsRegion() throws {
        let config = try config("https://nyc3.digitaloceanspaces.com:8443")
        #expect(config.region == "nyc3")
        let addressing = S3Addressing(config: config)
        #expect(addressing.virtualHosted)
        let target = addressing.target(key: "avatar/original/café+crème.png")
        #expect(target.host == "photos.nyc3.digitaloceanspaces.com:8443")
        #expect(target.url == "https://photos.nyc3.digitaloceanspaces.com:8443/avatar/original/caf%C3%A9%2Bcr%C3%A8me.png")
        // The object is only reachable at that port, so its public URL names it.
        #expect(addressing.publicURL(forKey: "a b.jpg") == "https://photos.nyc3.digitaloceanspaces.com:8443/a%20b.jpg")
        // The signature is scoped to the region and covers the host with its port, as curl sends it.
        let signer = SigV4Signer(accessKey: config.accessKey, secretKey: config.secretKey, region: config.region)
        let signed = signer.sign(.init(method: "PUT", encodedPath: target.encodedPath, headers: ["host": target.host],
                                       payloadHash: SigV4Signer.emptyPayloadHash), at: Date(timeIntervalSince1970: 1_764_028_800))
        #expect(signed["Authorization"]?.hasPrefix("AWS4-HMAC-SHA256 Credential=AK/20251125/nyc3/s3/aws4_request,SignedHeaders=host;") == true)
        // The scheme's default port is left out, as for real Spaces.
        let standard = S3Addressing(config: try self.config("https://nyc3.digitaloceanspaces.com:443"))
        #expect(standard.publicURL(forKey: "k") == "https://photos.nyc3.digitaloceanspaces.com/k")
    }

    @Test func bucketNamesThatAreNotOneHostLabelUsePathStyle() throws {
        for bucket in ["my.photos", "My-Photos", "my_photos", "-photos"] {
            #expect(!S3Addressing(config: try config("https://nyc3.digitaloceanspaces.com", bucket: bucket)).virtualHosted, "\(bucket)")
        }
        #expect(S3Addressing(config: try config("https://nyc3.digitaloceanspaces.com", bucket: "photos-2025")).virtualHosted)
    }

    @Test func publicURLsPreferTheCDN() throws {
        let plain = S3Addressing(config: try config("https://nyc3.digitaloceanspaces.com"))
        #expect(plain.publicURL(forKey: "a/é.jpg") == "https://photos.nyc3.digitaloceanspaces.com/a/%C3%A9.jpg")
        let cdn = S3Addressing(config: try config("https://nyc3.digitaloceanspaces.com", cdn: "https://cdn.example.com/"))
        #expect(cdn.publicURL(forKey: "a/é.jpg") == "https://cdn.example.com/a/%C3%A9.jpg")
    }
}
