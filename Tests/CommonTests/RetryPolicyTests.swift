import TestSupport
import Testing
@testable import Common

@Suite(.unitTimeLimit) struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 3, baseDelay: 0.5, maxDelay: 4, maxRetryAfter: 30)

    @Test func retriesTransientFailuresThreeTimesThenGivesUp() {
        let reset = RetryPolicy.Failure.transport(transient: true)
        for attempt in 1...3 {
            #expect(policy.decide(reset, attempt: attempt, jitter: 0.5) != .giveUp)
        }
        #expect(policy.decide(reset, attempt: 4, jitter: 0.5) == .giveUp)
    }

    @Test func backoffIsExponentialWithFullJitterAndCapped() {
        let slowDown = RetryPolicy.Failure.status(503, code: "SlowDown", retryAfter: nil)
        #expect(policy.decide(slowDown, attempt: 1, jitter: 0.999) == .retry(afterSeconds: 0.5 * 0.999))
        #expect(policy.decide(slowDown, attempt: 3, jitter: 0.999) == .retry(afterSeconds: 2 * 0.999))
        #expect(policy.decide(slowDown, attempt: 1, jitter: 0) == .retry(afterSeconds: 0))
        let long = RetryPolicy(maxRetries: 10, baseDelay: 0.5, maxDelay: 4)
        #expect(long.decide(slowDown, attempt: 9, jitter: 0.5) == .retry(afterSeconds: 2))
    }

    @Test func honoursRetryAfterButCapsIt() {
        #expect(policy.decide(.status(503, code: "SlowDown", retryAfter: 7), attempt: 1, jitter: 0.5) == .retry(afterSeconds: 7))
        #expect(policy.decide(.status(429, code: nil, retryAfter: 3600), attempt: 1, jitter: 0.5) == .retry(afterSeconds: 30))
    }

    @Test(arguments: [500, 502, 503, 504, 429, 408])
    func retriesServerErrorsAndThrottling(status: Int) {
        #expect(RetryPolicy.isRetryable(.status(status, code: nil, retryAfter: nil)))
    }

    @Test(arguments: [400, 401, 403, 404, 409, 412])
    func neverRetriesOtherClientErrors(status: Int) {
        #expect(policy.decide(.status(status, code: "InvalidArgument", retryAfter: nil), attempt: 1, jitter: 0.5) == .giveUp)
    }

    @Test func retriesS3TimeoutCodesSentWith400() {
        #expect(RetryPolicy.isRetryable(.status(400, code: "RequestTimeout", retryAfter: nil)))
        #expect(!RetryPolicy.isRetryable(.transport(transient: false)))
    }

    @Test func zeroRetriesMeansOneAttempt() {
        let none = RetryPolicy(maxRetries: 0)
        #expect(none.decide(.transport(transient: true), attempt: 1, jitter: 0.5) == .giveUp)
    }

    @Test func parsesRetryAfterSeconds() {
        #expect(RetryPolicy.parseRetryAfter(" 5 ") == 5)
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
    }
}
