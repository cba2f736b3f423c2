@testable import Common
import Foundation
import TestSupport
import Testing

/// The run's state, kept in its work folder from one step to the next.
@Suite(.unitTimeLimit) struct RunStateTests {
    @Test func savedWholeAndReadBack() throws {
        let folder = try TemporaryDirectory()
        var options = RunOptions()
        options.folder = "photos"
        options.presign = "1h"
        var state = RunState(options: options, commandLine: "photos --presign 1h", work: folder.path, bin: "/b",
                             files: RunFiles(folder: "/here", stamp: "20261207_010203", suffix: ""), started: 1)
        state.found = 3
        try state.save()
        let read = try RunState.load(from: folder.path)
        #expect(read.found == 3 && read.options == options && read.results == "/here/upload_results_20261207_010203.jsonl")
        #expect(read.fileMode == 0o600)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/run.json.new"))
        #expect(throws: (any Error).self) { try RunState.load(from: folder.path + "/none") }
    }
}
