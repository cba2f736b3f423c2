import Foundation
import Testing
@testable import Common
import TestSupport

@Suite(.unitTimeLimit) struct SpacesConfigTests {
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
