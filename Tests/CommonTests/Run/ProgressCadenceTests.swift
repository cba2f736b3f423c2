@testable import Common
import Testing

@Suite(.unitTimeLimit) struct ProgressCadenceTests {
    @Test func offATerminalAPlainLineEveryFiveSecondsToTheConsoleAndTheLog() {
        var cadence = ProgressCadence(terminal: false, onlyChanges: false)
        var shown: [Double] = []
        // Looks twice a second for an hour: a line at once, then one every 5 s to the end, never a bar.
        for step in 0...7200 {
            let now = 1000 + Double(step) * 0.5
            let writes = cadence.look(at: now, bar: "bar", plain: "line \(step)")
            #expect(writes.bar == nil)
            #expect(writes.console == writes.log)
            if writes.log != nil { shown.append(now) }
        }
        #expect(shown.first == 1000)
        #expect(shown.last == 4600)
        #expect(zip(shown, shown.dropFirst()).allSatisfy { $1 - $0 == 5 })
    }

    @Test func onATerminalTheBarAtEveryLookAndThePlainLineOnlyInTheLog() {
        var cadence = ProgressCadence(terminal: true, onlyChanges: false)
        let first = cadence.look(at: 0, bar: "[#...]", plain: "progress 1/4")
        #expect(first == .init(bar: "[#...]", console: nil, log: "progress 1/4"))
        #expect(cadence.look(at: 0.5, bar: "[##..]", plain: "progress 2/4") == .init(bar: "[##..]", console: nil, log: nil))
        #expect(cadence.look(at: 5, bar: "[###.]", plain: "progress 3/4").log == "progress 3/4")
    }

    @Test func aWatchWritesItsLineOnlyWhenItChanged() {
        var cadence = ProgressCadence(terminal: false, onlyChanges: true)
        #expect(cadence.look(at: 0, bar: "", plain: "watching: 1").console == "watching: 1")
        #expect(cadence.look(at: 10, bar: "", plain: "watching: 1").console == nil)
        #expect(cadence.look(at: 20, bar: "", plain: "watching: 2").console == "watching: 2")
        // Changed sooner than 5 s after the last line: it waits for its time.
        #expect(cadence.look(at: 22, bar: "", plain: "watching: 3").console == nil)
        #expect(cadence.look(at: 25, bar: "", plain: "watching: 3").log == "watching: 3")
    }
}
