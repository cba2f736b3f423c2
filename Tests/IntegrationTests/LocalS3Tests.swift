import Common
import Foundation
import TestSupport
import Testing

/// `scripts/local-s3 start DIR seaweedfs BUCKET`, as the docs give it to someone without a Spaces account: a
/// server with the bucket made, settings ready for the commands, and the way to stop it said.
@Suite(.integrationTimeLimit) struct LocalS3Tests {
    @Test func aLocalServerWithItsBucketTakesTheCardsPipeline() throws {
        let work = try TemporaryDirectory()
        let state = work.path + "/s3"
        let script = Harness.packageRoot + "/scripts/local-s3"
        let started = try Shell.run("\(script) start \(Shell.quote(state)) seaweedfs photos")
        defer { _ = try? Shell.run("\(script) stop \(Shell.quote(state))") }
        #expect(started.status == 0, "\(started.stderr)")
        #expect(started.stderr.contains("local-s3: bucket photos created: upload-images PHOTOS --env-file \(state)/spaces.env"))
        #expect(started.stderr.contains("local-s3: stop it with: scripts/local-s3 stop \(state)"))
        let env = try String(contentsOfFile: state + "/spaces.env", encoding: .utf8)
        #expect(env.contains("SPACES_BUCKET=photos\n"))
        _ = try work.copy(Corpus.file("jpeg/jpeg-grayscale.jpg"), to: "photos/a.jpg")
        let run = try Shell.run("dash -c \(Shell.quote("img-scan photos | spaces-exists --env-file s3/spaces.env | img-thumb --out t | spaces-put --env-file s3/spaces.env"))",
                                directory: work.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try run.records().map(\.status) == [.uploaded])
        let stopped = try Shell.run("\(script) stop \(Shell.quote(state))")
        #expect(stopped.status == 0 && !FileManager.default.fileExists(atPath: state))
    }
}
