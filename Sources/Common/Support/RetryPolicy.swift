import FoundationEssentials
import Glibc

/// When to try a request again, and how long to wait first: exponential backoff with full jitter,
/// never less than the server's `Retry-After`.
/// https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
///
/// A pure function of its inputs, so tests never sleep.
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (3, as the Python tool retries).
    public var maxRetries: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// The longest `Retry-After` honoured, so a hostile or broken server cannot park the run for hours.
    public var maxRetryAfter: Double

    public init(maxRetries: Int = 3, baseDelay: Double = 0.2, maxDelay: Double = 20, maxRetryAfter: Double = 60) {
        self.maxRetries = maxRetries
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    public enum Failure: Sendable, Equatable {
        /// No response: `transient` for resets, refusals and timeouts.
        case transport(transient: Bool)
        /// An HTTP error status with S3's error code when the body had one.
        case status(Int, code: String?, retryAfter: Double?)
    }

    public enum Decision: Sendable, Equatable {
        case retry(afterSeconds: Double)
        case giveUp
    }

    /// - Parameters:
    ///   - attempt: how many attempts have failed so far, counting this one (1 after the first failure).
    ///   - jitter: a uniform random number in [0, 1).
    public func decide(_ failure: Failure, attempt: Int, jitter: Double) -> Decision {
        guard attempt <= maxRetries, Self.isRetryable(failure) else { return .giveUp }
        let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        var wait = ceiling * jitter
        if case .status(_, _, let retryAfter?) = failure {
            wait = max(wait, min(retryAfter, maxRetryAfter))
        }
        return .retry(afterSeconds: wait)
    }

    /// S3 error codes that are worth another attempt whatever their status.
    static let retryableCodes: Set<String> = [
        "SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable", "Throttling", "ThrottlingException",
        "RequestTimeTooSkewed",
    ]

    public static func isRetryable(_ failure: Failure) -> Bool {
        switch failure {
        case .transport(let transient):
            return transient
        case .status(let status, let code, _):
            if let code, retryableCodes.contains(code) { return true }
            return status >= 500 || status == 429 || status == 408
        }
    }

    /// Parses `Retry-After` given in seconds; the HTTP-date form is rare from S3 and treated as absent.
    public static func parseRetryAfter(_ value: String?) -> Double? {
        guard let value, let seconds = Double(value.trimmingWhitespace()), seconds >= 0 else { return nil }
        return seconds
    }
}
