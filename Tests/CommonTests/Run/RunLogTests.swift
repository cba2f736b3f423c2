@testable import Common
import Foundation
import TestSupport
import Testing

/// The run's log and console: what a command's stderr line becomes.
@Suite(.unitTimeLimit) struct RunLogTests {
    @Test func errorsAndNewWarningsAreShownTheRestLogged() {
        #expect(RunLog.relay("spaces-put: error: a.jpg: gone", warned: []) == .show)
        #expect(RunLog.relay("spaces-put: warning: .env is readable", warned: []) == .show)
        #expect(RunLog.relay("img-thumb: warning: .env is readable", warned: [".env is readable"]) == .drop)
        #expect(RunLog.relay("img-scan: ignored 2: 2 hidden", warned: []) == .log)
    }

    @Test func aWarningIsLoggedOncePerRunWhicheverCommandGaveIt() throws {
        let folder = try TemporaryDirectory()
        let log = RunLog(path: folder.path + "/run.log", warnedPath: folder.path + "/warned", terminal: false)
        log.relay(lines: ["spaces-put: warning: x", "spaces-put: debug: y"])
        log.relay(lines: ["spaces-exists: warning: x", "img-thumb: error: z"])
        let text = try String(contentsOfFile: folder.path + "/run.log", encoding: .utf8)
        #expect(text.components(separatedBy: "warning: x").count == 2)
        #expect(text.contains("spaces-put: debug: y") && text.contains("img-thumb: error: z"))
        #expect(try String(contentsOfFile: folder.path + "/warned", encoding: .utf8) == "x\n")
    }

    @Test func linesAreTimestamped() {
        let line = RunLog.timestamped("hello", at: 0)
        #expect(line.hasSuffix(" hello") && line.count == "1970-01-01 00:00:00 hello".count)
    }
}
