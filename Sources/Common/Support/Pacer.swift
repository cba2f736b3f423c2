/// Spaces out requests while the server is throttling: every `SlowDown` (or 429/503) doubles a pause taken
/// before each request, every success halves it, so sustained throttling slows the whole process down
/// instead of retrying in a tight loop. The idea of rclone's pacer and the AWS SDKs' adaptive retry mode.
///
/// A pure value: `record` decides, the caller sleeps.
public struct Pacer: Sendable, Equatable {
    /// The pause before the next request, in seconds.
    public private(set) var pause: Double = 0
    public var firstPause: Double
    public var maxPause: Double

    public init(firstPause: Double = 0.05, maxPause: Double = 2) {
        self.firstPause = firstPause
        self.maxPause = maxPause
    }

    /// Takes note of one answer: `throttled` when the server asked us to slow down.
    public mutating func record(throttled: Bool) {
        if throttled {
            pause = min(maxPause, max(firstPause, pause * 2))
        } else {
            pause /= 2
            if pause < firstPause / 4 { pause = 0 }
        }
    }

    /// Whether an answer is the server asking for fewer requests.
    public static func isThrottle(status: Int, code: String?) -> Bool {
        status == 429 || status == 503 || code == "SlowDown" || code == "Throttling" || code == "ThrottlingException"
    }
}
