import Foundation
import Testing
@testable import Common
import TestSupport

@Suite struct DotEnvTests {
    @Test func parsesCommentsQuotesAndExport() {
        let parsed = DotEnv.parse("""
            # a comment
            SPACES_ACCESS_KEY=abc
            export SPACES_BUCKET = my-bucket
            SPACES_SECRET_KEY="s3cr#t \\"quoted\\""
            SPACES_REGION='nyc3 # not a comment'
            SPACES_ACL=public-read # trailing comment
            EMPTY=
            not a line
            WINDOWS=crlf\r

            """)
        #expect(parsed.values["SPACES_ACCESS_KEY"] == "abc")
        #expect(parsed.values["SPACES_BUCKET"] == "my-bucket")
        #expect(parsed.values["SPACES_SECRET_KEY"] == "s3cr#t \"quoted\"")
        #expect(parsed.values["SPACES_REGION"] == "nyc3 # not a comment")
        #expect(parsed.values["SPACES_ACL"] == "public-read")
        #expect(parsed.values["EMPTY"] == "")
        #expect(parsed.values["WINDOWS"] == "crlf")
        #expect(parsed.ignoredLines == [8])
    }
}

@Suite struct SpacesConfigTests {
    let base = ["SPACES_ACCESS_KEY": "AK", "SPACES_SECRET_KEY": "SK", "SPACES_BUCKET": "b"]

    @Test func namesEveryMissingVariableAtOnce() {
        #expect(throws: ConfigError.missingVariables(["SPACES_ACCESS_KEY", "SPACES_SECRET_KEY", "SPACES_BUCKET",
                                                       "SPACES_REGION (or SPACES_ENDPOINT)"])) {
            try SpacesConfig.resolve([:])
        }
        let message = ConfigError.missingVariables(["SPACES_BUCKET"]).description
        #expect(message == "Missing required environment variables: SPACES_BUCKET")
    }

    @Test func endpointDefaultsFromRegion() throws {
        var vars = base
        vars["SPACES_REGION"] = "ams3"
        let config = try SpacesConfig.resolve(vars)
        #expect(config.endpoint.description == "https://ams3.digitaloceanspaces.com")
        #expect(config.region == "ams3")
        #expect(config.acl == "private")
    }

    @Test func regionDefaultsFromSpacesEndpointElseUsEast1() throws {
        var vars = base
        vars["SPACES_ENDPOINT"] = "https://sgp1.digitaloceanspaces.com/"
        #expect(try SpacesConfig.resolve(vars).region == "sgp1")
        vars["SPACES_ENDPOINT"] = "http://127.0.0.1:9000"
        let local = try SpacesConfig.resolve(vars)
        #expect(local.region == "us-east-1")
        #expect(local.endpoint.port == 9000)
    }

    @Test func rejectsBadValues() {
        var vars = base
        vars["SPACES_ENDPOINT"] = "nyc3.digitaloceanspaces.com"
        #expect(throws: ConfigError.self) { try SpacesConfig.resolve(vars) }
        vars["SPACES_ENDPOINT"] = "https://nyc3.digitaloceanspaces.com"
        vars["SPACES_ACL"] = "public"
        #expect(throws: ConfigError.self) { try SpacesConfig.resolve(vars) }
    }

    @Test func aBucketsOwnURLAsEndpointBecomesItsRegionEndpoint() throws {
        var vars = base
        vars["SPACES_BUCKET"] = "avatars"
        vars["SPACES_ENDPOINT"] = "https://avatars.nyc3.digitaloceanspaces.com"
        let config = try SpacesConfig.resolve(vars)
        #expect(config.endpoint.description == "https://nyc3.digitaloceanspaces.com")
        #expect(config.region == "nyc3")
        vars["SPACES_ENDPOINT"] = "https://other.nyc3.digitaloceanspaces.com"
        #expect(throws: ConfigError.invalidValue("SPACES_ENDPOINT", "https://other.nyc3.digitaloceanspaces.com",
                                                 "that is the URL of bucket other, not of SPACES_BUCKET=avatars: use https://nyc3.digitaloceanspaces.com")) {
            try SpacesConfig.resolve(vars)
        }
        vars["SPACES_ENDPOINT"] = "https://avatars.nyc3.cdn.digitaloceanspaces.com"
        #expect(throws: ConfigError.invalidValue("SPACES_ENDPOINT", "https://avatars.nyc3.cdn.digitaloceanspaces.com",
                                                 "a CDN endpoint takes no uploads: use https://nyc3.digitaloceanspaces.com (and this one as SPACES_CDN_ENDPOINT)")) {
            try SpacesConfig.resolve(vars)
        }
    }

    @Test func theCABundleMustBeAReadablePEMFile() throws {
        let dir = try TemporaryDirectory()
        var vars = base
        vars["SPACES_REGION"] = "nyc3"
        vars["SPACES_CA_BUNDLE"] = dir.path + "/missing.pem"
        #expect(throws: ConfigError.invalidValue("SPACES_CA_BUNDLE", dir.path + "/missing.pem", "no such file")) {
            try SpacesConfig.resolve(vars)
        }
        vars["SPACES_CA_BUNDLE"] = try dir.write("notes.txt", Data("not a certificate\n".utf8))
        #expect(throws: ConfigError.invalidValue("SPACES_CA_BUNDLE", dir.path + "/notes.txt", "not a PEM file of CA certificates")) {
            try SpacesConfig.resolve(vars)
        }
        vars["SPACES_CA_BUNDLE"] = try dir.write("ca.pem", Data("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8))
        #expect(try SpacesConfig.resolve(vars).caBundle == dir.path + "/ca.pem")
    }

    @Test func descriptionHidesTheSecret() throws {
        var vars = base
        vars["SPACES_REGION"] = "nyc3"
        vars["SPACES_SECRET_KEY"] = "very-secret-value"
        let config = try SpacesConfig.resolve(vars)
        #expect(!"\(config)".contains("very-secret-value"))
    }

    @Test func environmentOverridesTheFile() throws {
        let dir = try TemporaryDirectory()
        let file = dir.path + "/test.env"
        try "SPACES_ACCESS_KEY=file\nSPACES_SECRET_KEY=file\nSPACES_BUCKET=file\nSPACES_REGION=nyc3\n"
            .write(toFile: file, atomically: false, encoding: .utf8)
        chmod(file, 0o644)
        var warnings: [String] = []
        let config = try ConfigLoader.load(envFile: file, environment: ["SPACES_BUCKET": "env", "HOME": "/x"]) { warnings.append($0) }
        #expect(config.bucket == "env")
        #expect(config.accessKey == "file")
        #expect(warnings.count == 1 && warnings[0].contains("readable by other users"))
        chmod(file, 0o600)
        warnings = []
        _ = try ConfigLoader.load(envFile: file, environment: [:]) { warnings.append($0) }
        #expect(warnings.isEmpty)
        #expect(throws: ConfigError.envFileNotFound(dir.path + "/missing.env")) {
            try ConfigLoader.load(envFile: dir.path + "/missing.env", environment: [:]) { _ in }
        }
    }
}

@Suite struct S3AddressingTests {
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
