import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct PacerTests {
    @Test func throttlingDoublesThePauseUpToTheCapAndSuccessWindsItDown() {
        var pacer = Pacer(firstPause: 0.05, maxPause: 0.4)
        #expect(pacer.pause == 0)
        pacer.record(throttled: true)
        #expect(pacer.pause == 0.05)
        for _ in 0..<10 { pacer.record(throttled: true) }
        #expect(pacer.pause == 0.4)
        pacer.record(throttled: false)
        #expect(pacer.pause == 0.2)
        for _ in 0..<5 { pacer.record(throttled: false) }
        #expect(pacer.pause == 0)
    }

    @Test func successesAloneNeverPause() {
        var pacer = Pacer()
        for _ in 0..<100 { pacer.record(throttled: false) }
        #expect(pacer.pause == 0)
    }

    @Test func recognisesThrottling() {
        #expect(Pacer.isThrottle(status: 503, code: "SlowDown"))
        #expect(Pacer.isThrottle(status: 429, code: nil))
        #expect(!Pacer.isThrottle(status: 500, code: "InternalError"))
        #expect(!Pacer.isThrottle(status: 200, code: nil))
    }
}
