import Common
import Crypto
import Foundation
import TestSupport
import Testing

/// The production shape, end to end: HTTPS, bucket-in-host-name URLs, the Spaces endpoint form, SPACES_CA_BUNDLE.
@Suite(.integrationTimeLimit) struct HTTPSTests {
    let rig: HTTPSRig

    init() throws { rig = try HTTPSRig() }

    enum Trust: String, CaseIterable, CustomTestStringConvertible {
        case systemCAs, otherCA, otherHostName
        var testDescription: String { rawValue }
    }

    @Test(arguments: Trust.allCases, ["spaces-put", "upload-images"])
    func anUntrustedCertificateStopsTheRunNamingTheHost(trust: Trust, command: String) throws {
        let bucket = try rig.makeBucket("trust")
        let port = try rig.port()
        let folder = try TemporaryDirectory()
        try folder.copy(Corpus.file("jpeg/jpeg-1x1.jpg"), to: "photos/a.jpg")
        try folder.copy(Corpus.file("sub/deeper/photo with spaces.jpg"), to: "photos/b c.jpg")
        var changes: [String: String?] = [:]
        var host = "\(bucket).nyc3.digitaloceanspaces.com:\(port)"
        let hint: String
        switch trust {
        case .systemCAs:
            changes["SPACES_CA_BUNDLE"] = .some(nil)
            hint = "(no CA this system trusts signed it: for a private CA set SPACES_CA_BUNDLE to its PEM file)"
        case .otherCA:
            changes["SPACES_CA_BUNDLE"] = rig.otherCA
            hint = "(no CA in SPACES_CA_BUNDLE=\(rig.otherCA) signed it)"
        case .otherHostName:
            // The same server under a name its certificate does not cover.
            try rig.addHosts("sfo3.digitaloceanspaces.com", "\(bucket).sfo3.digitaloceanspaces.com")
            changes["SPACES_ENDPOINT"] = "https://sfo3.digitaloceanspaces.com:\(port)"
            host = "\(bucket).sfo3.digitaloceanspaces.com:\(port)"
            hint = "(the certificate is for another host name: check SPACES_ENDPOINT)"
        }
        let env = try rig.envFile(in: folder, bucket: bucket, changes)
        let run = command == "spaces-put"
            ? try rig.run("img-scan photos | spaces-put --env-file \(Shell.quote(env))", in: folder)
            : try rig.run("\(Shell.quote(UploadImagesTests.script)) photos --env-file \(Shell.quote(env))", in: folder)

        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.lines.isEmpty)
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(run.stderr)")
        // upload-images checks the server itself, before any work (its pre-flight HeadBucket).
        let by = command == "spaces-put" ? "spaces-put" : "upload-images"
        #expect(lines.first?.hasPrefix("\(by): error: Cannot verify the TLS certificate of \(host): ") == true, "\(run.stderr)")
        #expect(lines.first?.hasSuffix(hint) == true, "\(run.stderr)")
        let trusted = try rig.envFile(in: folder, bucket: bucket)
        #expect(try rig.objects(envFile: trusted, in: folder).isEmpty)

        // The same command with the rig's CA, at the name the certificate covers, uploads both images.
        let good = try rig.run("img-scan photos | spaces-put --env-file \(Shell.quote(trusted))", in: folder)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(try good.records().map(\.status) == [.uploaded, .uploaded])
    }

    @Test func theCorpusGoesUpOverHTTPSWithVirtualHostedURLs() throws {
        let bucket = try rig.makeBucket("corpus")
        let port = try rig.port()
        let base = "https://\(bucket).nyc3.digitaloceanspaces.com:\(port)"
        let folder = try TemporaryDirectory()
        let env = try rig.envFile(in: folder, bucket: bucket, ["SPACES_ACL": "public-read"])
        let run = try rig.run("\(Shell.quote(UploadImagesTests.script)) \(Shell.quote(Harness.corpus)) --workers 2 --batch-size 25 "
                              + "--debug --env-file \(Shell.quote(env))", in: folder, environment: ["TMPDIR": folder.path])
        #expect(run.status == 1, "broken corpus files make the status 1: \(run.stderr.suffix(800))")

        let resultsFile = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .first { $0.hasPrefix("upload_results_") })
        let records = try String(contentsOfFile: folder.path + "/" + resultsFile, encoding: .utf8)
            .split(separator: "\n").map { try RecordCoding.decode(Data($0.utf8)) }
        let manifest = try CorpusManifest()
        let good = manifest.scanned.filter { !$0.mustBeRejected }
        let uploaded = records.filter { $0.status == .uploaded }
        #expect(Set(uploaded.map(\.rel)) == Set(good.map(\.file)))

        // Public URLs: the bucket in the host name, the key percent-encoded; each serves the object's bytes.
        var expected: [String: String] = [:]
        for record in uploaded {
            let key = try #require(record.key), thumbnailKey = try #require(record.thumbnailKey)
            #expect(record.url == publicURL(base, key), "\(record.rel)")
            #expect(record.thumbnailUrl == publicURL(base, thumbnailKey), "\(record.rel)")
            expected[publicURL(base, key)] = try md5Hex(file: record.path)
            let thumbnailEtag = try #require(record.thumbnailEtag)
            expected[publicURL(base, thumbnailKey)] = thumbnailEtag
        }
        #expect(expected.count == 2 * good.count)
        let fetched = try rig.fetchMD5s(expected.keys.sorted(), in: folder)
        for (url, md5) in expected.sorted(by: { $0.key < $1.key }) {
            #expect(fetched[url] == md5, "\(url)")
        }

        // Signed for nyc3 (the region the endpoint names), sent to the endpoint's port.
        let log = try String(contentsOfFile: folder.path + "/" + resultsFile.replacingOccurrences(of: "upload_results_", with: "upload_log_")
            .replacingOccurrences(of: ".jsonl", with: ".log"), encoding: .utf8)
        #expect(log.contains("config: bucket=\(bucket) region=nyc3 endpoint=https://nyc3.digitaloceanspaces.com:\(port)"))
    }

    @Test func theBucketIsInTheHostName() throws {
        // A bucket whose name does not resolve: a virtual-hosted request cannot reach the server at all,
        // and a path-style one reaches it and hears the bucket does not exist.
        let bucket = "unresolved-\(UInt32.random(in: 0...UInt32.max))"
        let folder = try TemporaryDirectory()
        let virtual = try rig.run("spaces-put --check --retries 0 --env-file \(Shell.quote(try rig.envFile(in: folder, bucket: bucket)))",
                                  in: folder)
        #expect(virtual.status == 2)
        #expect(virtual.stderr.contains("\(bucket).nyc3.digitaloceanspaces.com"), "\(virtual.stderr)")
        let pathStyle = try rig.run("spaces-put --check --retries 0 --env-file "
                                    + Shell.quote(try rig.envFile(in: folder, bucket: bucket, ["SPACES_PATH_STYLE": "true"])), in: folder)
        #expect(pathStyle.status == 2)
        #expect(pathStyle.stderr == "spaces-put: error: Bucket not found: \(bucket) (create it first, or check SPACES_BUCKET and SPACES_REGION)\n")
    }

    @Test func aBucketWithDotsFallsBackToPathStyle() throws {
        // my.N.nyc3.digitaloceanspaces.com resolves inside the rig, but *.nyc3.digitaloceanspaces.com does not cover
        // it (a wildcard matches one label): a virtual-hosted request would fail verification.
        let bucket = try rig.makeBucket("my", separator: ".")
        let port = try rig.port()
        let base = "https://nyc3.digitaloceanspaces.com:\(port)/\(bucket)"
        let folder = try TemporaryDirectory()
        let env = try rig.envFile(in: folder, bucket: bucket, ["SPACES_ACL": "public-read"])
        let run = try rig.run("img-scan \(Shell.quote(Corpus.file("sub"))) | spaces-put --env-file \(Shell.quote(env))", in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let records = try run.records()
        #expect(records.count == 4 && records.allSatisfy { $0.status == .uploaded })
        var expected: [String: String] = [:]
        for record in records {
            let key = try #require(record.key)
            #expect(record.url == publicURL(base, key))
            expected[publicURL(base, key)] = try md5Hex(file: record.path)
        }
        let fetched = try rig.fetchMD5s(expected.keys.sorted(), in: folder)
        for (url, md5) in expected { #expect(fetched[url] == md5, "\(url)") }
    }

    @Test func theCDNEndpointFormsThePublicURLs() throws {
        let bucket = try rig.makeBucket("cdn")
        // The rig answers the CDN's names too, so the CDN URLs can be fetched.
        let port = try rig.port()
        let cdn = "https://\(bucket).nyc3.cdn.digitaloceanspaces.com:\(port)"
        let folder = try TemporaryDirectory()
        let env = try rig.envFile(in: folder, bucket: bucket, ["SPACES_ACL": "public-read", "SPACES_CDN_ENDPOINT": cdn + "/"])
        let run = try rig.run("img-scan \(Shell.quote(Corpus.file("sub"))) | img-thumb --out thumbs | spaces-put --env-file \(Shell.quote(env))",
                              in: folder)
        #expect(run.status == 0, "\(run.stderr)")
        let records = try run.records()
        #expect(records.count == 4)
        var expected: [String: String] = [:]
        for record in records {
            let key = try #require(record.key), thumbnailKey = try #require(record.thumbnailKey)
            #expect(record.url == publicURL(cdn, key))
            #expect(record.thumbnailUrl == publicURL(cdn, thumbnailKey))
            expected[publicURL(cdn, key)] = try md5Hex(file: record.path)
            let thumbnailEtag = try #require(record.thumbnailEtag)
            expected[publicURL(cdn, thumbnailKey)] = thumbnailEtag
        }
        let fetched = try rig.fetchMD5s(expected.keys.sorted(), in: folder)
        for (url, md5) in expected { #expect(fetched[url] == md5, "\(url)") }
    }

    @Test func aBatchOf100ImagesCostsOneTLSHandshake() throws {
        let bucket = try rig.makeBucket("reuse")
        let folder = try TemporaryDirectory()
        for index in 0..<100 {
            try folder.copy(Corpus.file("jpeg/jpeg-1x1.jpg"), to: String(format: "batch/img-%03d.jpg", index))
        }
        let env = Shell.quote(try rig.envFile(in: folder, bucket: bucket))
        let keyLog = folder.path + "/tls-keys.log"
        let batch = try rig.run("img-scan batch | img-thumb --out thumbs | spaces-put --debug --env-file \(env)",
                                in: folder, environment: ["SSLKEYLOGFILE": keyLog])
        #expect(batch.status == 0, "\(batch.stderr.suffix(500))")
        #expect(try batch.records().filter { $0.status == .uploaded }.count == 100)
        // Three counts: connections (CURLINFO_NUM_CONNECTS), requests that spent time in a TLS handshake
        // (CURLINFO_APPCONNECT_TIME_T), and OpenSSL's key log, which gets one client random per handshake.
        #expect(batch.counts(of: "request", where: "spaces-put: debug:") == [200], "\(batch.stderr.suffix(300))")
        #expect(batch.counts(of: "connection", where: "spaces-put: debug:") == [1], "\(batch.stderr.suffix(300))")
        #expect(occurrences(of: "new connection with a TLS handshake", in: batch.stderr) == 1)
        #expect(try handshakes(in: keyLog) == 1)

        // The same counts for three processes of one image each: three connections, three handshakes.
        let apartLog = folder.path + "/tls-keys-apart.log"
        let apart = try rig.run("img-scan --records-only batch >records.jsonl && head -3 records.jsonl | while IFS= read -r record; do "
                                + "printf '%s\\n' \"$record\" | spaces-put --debug --env-file \(env); done",
                                in: folder, environment: ["SSLKEYLOGFILE": apartLog])
        #expect(apart.status == 0, "\(apart.stderr.suffix(500))")
        #expect(apart.counts(of: "request", where: "spaces-put: debug:") == [1, 1, 1], "\(apart.stderr.suffix(500))")
        #expect(apart.counts(of: "connection", where: "spaces-put: debug:") == [1, 1, 1])
        #expect(occurrences(of: "new connection with a TLS handshake", in: apart.stderr) == 3)
        #expect(try handshakes(in: apartLog) == 3)
    }

    func occurrences(of text: String, in output: String) -> Int {
        output.components(separatedBy: text).count - 1
    }

    /// Handshakes in an SSLKEYLOGFILE (NSS key log format, `LABEL CLIENT_RANDOM SECRET`): TLS 1.3 writes several
    /// labels per handshake, TLS 1.2 one, always with that handshake's client random.
    func handshakes(in keyLog: String) throws -> Int {
        let lines = try String(contentsOfFile: keyLog, encoding: .utf8).split(separator: "\n")
        return Set(lines.compactMap { line -> Substring? in
            let fields = line.split(separator: " ")
            return fields.count == 3 ? fields[1] : nil
        }).count
    }
}
