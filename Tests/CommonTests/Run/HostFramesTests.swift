@testable import Common
import Foundation
import Testing

/// What parallel hands back under --hosts, framed by hosts-worker.bash.
@Suite(.unitTimeLimit) struct HostFramesTests {
    let tag = "T4g"
    func line(_ json: String) -> String { "\u{1F}\(tag)\t\(json)" }

    @Test func wholeRecordsAreResultsAndOtherTextIsLoggedOncePerHost() {
        var frames = HostFrames(tag: tag)
        let begin = frames.read(Data("begin\tbatch.000000\th1\nWelcome to h1\n\(line("{\"a\":1}"))\n\(line("{\"b\":2}"))\n\(line("{\"c\"")) ".utf8))
        #expect(begin.results == [Data("{\"a\":1}".utf8), Data("{\"b\":2}".utf8)])
        #expect(begin.messages.first == "host h1 printed text that is not a record (its login files?), left out: Welcome to h1")
        #expect(begin.messages.last?.hasPrefix("batch.000000 on h1: a line cut short, left out: ") == true)
        let end = frames.read(Data("end\tbatch.000000\texit:0:1\th1\t\n".utf8))
        #expect(end.ended == "batch.000000" && end.died == nil && end.stop == nil)
        #expect(end.messages == ["batch.000000 on h1: 2 results"])
        _ = frames.read(Data("begin\tbatch.000001\th1\nWelcome to h1\n".utf8))
        #expect(frames.read(Data("end\tbatch.000001\texit:0:0\th1\t\n".utf8)).messages == ["batch.000001 on h1: 0 results"])
    }

    @Test func aBatchThatDidNotEndWellSaysWhy() {
        var frames = HostFrames(tag: tag)
        _ = frames.read(Data("begin\tbatch.000002\th2\n".utf8))
        let fatal = frames.read(Data("end\tbatch.000002\texit:0:2\th2\t\n".utf8))
        #expect(fatal.stop == "fatal" && fatal.died == "on h2: spaces-put stopped: a fatal error (its message is in the log)")
        let gone = frames.read(Data("end\tbatch.000003\texit:0:3\th2\t\n".utf8))
        #expect(gone.stop == "unavailable" && gone.died == nil)
        let killed = frames.read(Data("end\tbatch.000004\texit:137:0\th2\t\n".utf8))
        #expect(killed.stop == nil && killed.died == "on h2: img-thumb was killed by signal 9 (KILL)")
        let missing = frames.read(Data("end\tbatch.000005\tdied\th2\timg-thumb and spaces-put are neither in /b nor on PATH\n".utf8))
        #expect(missing.died == "on h2: img-thumb and spaces-put are neither in /b nor on PATH")
    }
}
