import Common
import Crypto
import Foundation
import TestSupport
import Testing

/// The HTTPS rig that `scripts/test` starts (`scripts/https-rig`): SeaweedFS serving HTTPS as
/// `nyc3.digitaloceanspaces.com` and `*.nyc3.digitaloceanspaces.com` with a certificate from a private CA,
/// in network and mount namespaces of its own. Those names resolve only in there, so every command runs
/// through `https-rig run`.
struct HTTPSRig {
    static let script = Corpus.packageRoot + "/scripts/https-rig"
    let directory: String
    let settings: [String: String]

    init() throws {
        directory = try #require(Harness.environment["S3TEST_HTTPS_RIG"],
                                 "S3TEST_HTTPS_RIG is not set: run the tests with scripts/test, as root (the rig uses unshare)")
        settings = DotEnv.parse(try String(contentsOfFile: directory + "/spaces.env", encoding: .utf8)).values
    }

    var caBundle: String { directory + "/ca.pem" }
    /// A CA with the same name as the rig's, but another key: it signed nothing the server shows.
    var otherCA: String { directory + "/other-ca.pem" }

    /// The port of the rig's endpoint (`https://nyc3.digitaloceanspaces.com:PORT`).
    func port() throws -> Int {
        let endpoint = try #require(Endpoint(parsing: settings["SPACES_ENDPOINT"] ?? ""))
        #expect(endpoint.scheme == "https" && endpoint.host == "nyc3.digitaloceanspaces.com")
        return try #require(endpoint.port)
    }

    /// A new bucket; its names `BUCKET.nyc3(.cdn).digitaloceanspaces.com` resolve inside the rig.
    func makeBucket(_ label: String, separator: String = "-") throws -> String {
        let name = "\(label)\(separator)\(UInt32.random(in: 0...UInt32.max))"
        let made = try Shell.run("\(Shell.quote(Self.script)) bucket \(Shell.quote(directory)) \(name)")
        try #require(made.status == 0, "cannot create bucket \(name): \(made.stderr)")
        return name
    }

    /// Makes more names resolve to 127.0.0.1 inside the rig.
    func addHosts(_ names: String...) throws {
        let added = try Shell.run("\(Shell.quote(Self.script)) host \(Shell.quote(directory)) \(names.joined(separator: " "))")
        try #require(added.status == 0, "\(added.stderr)")
    }

    /// An env file (mode 0600) with the rig's settings and `bucket`; `changes` set variables, or remove them (nil).
    func envFile(in folder: TemporaryDirectory, bucket: String, _ changes: [String: String?] = [:]) throws -> String {
        var values = settings
        values["SPACES_BUCKET"] = bucket
        for (name, value) in changes { values[name] = value }
        let file = folder.path + "/spaces-\(UInt32.random(in: 0...UInt32.max)).env"
        try values.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n")
            .write(toFile: file, atomically: false, encoding: .utf8)
        chmod(file, 0o600)
        return file
    }

    /// Runs a bash command line inside the rig, with the built commands first on PATH.
    func run(_ command: String, in folder: TemporaryDirectory, environment: [String: String] = [:]) throws -> Shell.Result {
        try Shell.run("\(Shell.quote(Self.script)) run \(Shell.quote(directory)) bash -o pipefail -c \(Shell.quote(command))",
                      environment: environment, directory: folder.path)
    }

    /// Every object of the bucket, as boto3 (path-style, trusting the rig's CA) reads it back.
    func objects(envFile: String, in folder: TemporaryDirectory) throws -> [String: StoredObject] {
        let bucket = try #require(DotEnv.parse(try String(contentsOfFile: envFile, encoding: .utf8)).values["SPACES_BUCKET"])
        let listed = try run("AWS_CA_BUNDLE=\(Shell.quote(caBundle)) \(Harness.s3tool) --env \(Shell.quote(envFile)) objects \(bucket)",
                             in: folder)
        try #require(listed.status == 0, "listing \(bucket) failed: \(listed.stderr)")
        return try StoredObject.byKey(listing: listed.stdout)
    }

    /// Fetches every URL as anyone would (curl without credentials, trusting the rig's CA), in one curl
    /// process. Returns the MD5 of each body by URL; a URL that failed has none.
    func fetchMD5s(_ urls: [String], in folder: TemporaryDirectory) throws -> [String: String] {
        let fetched = folder.path + "/fetched-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: fetched, withIntermediateDirectories: true)
        let config = urls.enumerated().map { "url = \"\($1)\"\noutput = \"\(fetched)/\($0)\"" }.joined(separator: "\n")
        try config.write(toFile: fetched + "/curl.config", atomically: false, encoding: .utf8)
        let run = try run("curl --silent --show-error --fail --cacert \(Shell.quote(caBundle)) --config \(Shell.quote(fetched + "/curl.config"))",
                          in: folder)
        #expect(run.status == 0, "fetching the public URLs failed: \(run.stderr)")
        var md5s: [String: String] = [:]
        for (index, url) in urls.enumerated() {
            if let body = FileManager.default.contents(atPath: "\(fetched)/\(index)") { md5s[url] = md5Hex(body) }
        }
        return md5s
    }
}

/// `BASE/KEY` with every byte of the key but unreserved characters and `/` percent-encoded (RFC 3986), written
/// apart from the code under test.
func publicURL(_ base: String, _ key: String) -> String {
    let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")
    return base + "/" + key.addingPercentEncoding(withAllowedCharacters: unreserved)!
}

func md5Hex(_ data: Data) -> String {
    Insecure.MD5.hash(data: data).map { String(format: "%02x", $0) }.joined()
}

func md5Hex(file path: String) throws -> String {
    md5Hex(try Data(contentsOf: URL(fileURLWithPath: path)))
}
