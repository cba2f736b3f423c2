import Common
import Foundation
import TestSupport
import Testing

/// The real server behind our fault-injecting proxy (scripts/fault-proxy.py): throttling and dropped
/// connections cost retries, never data.
@Suite struct FaultTests {
    /// A running proxy in front of the test server, stopped when the value goes away.
    final class FaultProxy {
        let process = Process()
        let directory: TemporaryDirectory
        let port: Int

        init(slowdown: Double, drop: Double) throws {
            directory = try TemporaryDirectory()
            let settings = try Harness.serverSettings()
            let upstream = try #require(URLComponents(string: settings["SPACES_ENDPOINT"]!))
            process.executableURL = URL(fileURLWithPath: Corpus.packageRoot + "/.venv/bin/python")
            process.arguments = [Corpus.packageRoot + "/scripts/fault-proxy.py",
                                 "--upstream", "\(upstream.host!):\(upstream.port!)",
                                 "--port-file", directory.path + "/port", "--stats", directory.path + "/stats",
                                 "--slowdown", String(slowdown), "--drop", String(drop)]
            Shell.unblockSignals()
            try process.run()
            var found: Int?
            for _ in 0..<100 where found == nil {
                usleep(50_000)
                found = (try? String(contentsOfFile: directory.path + "/port", encoding: .utf8)).flatMap { Int($0) }
            }
            port = try #require(found, "the fault proxy did not start")
        }

        deinit {
            process.terminate()
            process.waitUntilExit()
        }

        func count(_ kind: String) -> Int {
            ((try? String(contentsOfFile: directory.path + "/stats", encoding: .utf8)) ?? "")
                .split(separator: "\n").filter { $0 == kind }.count
        }
    }

    @Test func throttlingAndDroppedConnectionsLoseNothing() throws {
        let bucket = try TestBucket("faults")
        let proxy = try FaultProxy(slowdown: 0.2, drop: 0.05)
        let work = try TemporaryDirectory()
        let run = try Shell.run("""
            img-scan \(Shell.quote(Harness.corpus)) | img-thumb --out \(work.path)/t 2>/dev/null \
            | spaces-put --retries 6 --debug --env-file \(bucket.envFile)
            """, environment: ["SPACES_ENDPOINT": "http://127.0.0.1:\(proxy.port)"])
        let records = try run.records()
        #expect(proxy.count("slowdown") > 5 && proxy.count("drop") > 0,
                "faults injected: \(proxy.count("slowdown")) SlowDown, \(proxy.count("drop")) drops, \(proxy.count("forwarded")) forwarded")
        #expect(run.stderr.contains("retrying PUT"))
        // Sustained throttling slowed the process down between requests, not only between retries.
        #expect(run.stderr.contains("s paced for throttling") && !run.stderr.contains(" 0.0 s paced"), "\(run.stderr.suffix(200))")
        // Every image that img-thumb accepted is uploaded despite the faults, and intact (read past the proxy).
        let stored = try bucket.objects()
        let uploaded = records.filter { $0.status == .uploaded }
        let expected = try CorpusManifest().entries.filter {
            !$0.mustBeRejected && ImageScanner.imageExtensions.contains(($0.file as NSString).pathExtension.lowercased())
        }.count
        #expect(records.count - uploaded.count == records.count - expected)
        #expect(uploaded.count == expected, "\(run.stderr.split(separator: "\n").filter { $0.contains("error") }.joined(separator: "\n"))")
        for record in uploaded {
            #expect(stored[record.key!]?.md5 == (try FileDigest.compute(path: record.path)).md5.hexString)
            #expect(stored[record.thumbnailKey!]?.md5 == record.thumbnailEtag)
        }
    }
}
