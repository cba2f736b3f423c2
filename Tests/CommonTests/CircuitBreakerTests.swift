import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct CircuitBreakerTests {
    final class Clock: @unchecked Sendable { var seconds = 0.0 }

    func breaker(_ clock: Clock) -> CircuitBreaker {
        var breaker = CircuitBreaker()
        breaker.now = { clock.seconds }
        return breaker
    }

    @Test func opensAfterThreeUnavailableUploadsInARow() {
        let clock = Clock()
        var breaker = breaker(clock)
        breaker.recordUnavailable("timeout")
        breaker.recordUnavailable("timeout")
        #expect(breaker.refusal() == nil)
        breaker.recordUnavailable("connection refused")
        let refusal = breaker.refusal()
        #expect(refusal?.contains("unavailable for the last 3 uploads (connection refused)") == true, "\(refusal ?? "nil")")
    }

    @Test func aSuccessInBetweenStartsTheCountAgain() {
        var breaker = breaker(Clock())
        breaker.recordUnavailable("timeout")
        breaker.recordUnavailable("timeout")
        breaker.recordSuccess()
        breaker.recordUnavailable("timeout")
        #expect(breaker.refusal() == nil)
    }

    @Test func letsOneProbeThroughPerIntervalAndClosesWhenItSucceeds() {
        let clock = Clock()
        var breaker = breaker(clock)
        for _ in 0..<3 { breaker.recordUnavailable("timeout") }
        clock.seconds = 29
        #expect(breaker.refusal() != nil)
        clock.seconds = 30
        #expect(breaker.refusal() == nil)  // the probe
        #expect(breaker.refusal() != nil)  // only one
        breaker.recordSuccess()
        #expect(!breaker.isOpen && breaker.refusal() == nil)
    }
}
