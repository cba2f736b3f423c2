import FoundationEssentials

/// Fails records at once, without a request, after several uploads in a row found the server unavailable
/// (each of them after all its retries): a server that is gone would otherwise cost every remaining record
/// its full retries and timeouts. Every `probeInterval` seconds one record is let through to find out
/// whether the server is back; its success closes the breaker.
public struct CircuitBreaker: Sendable {
    public var threshold = 3
    /// What the records' requests are, for the reason: `uploads` (spaces-put), `downloads` (spaces-get).
    public var what = "uploads"
    public var probeInterval = 30.0
    private var consecutive = 0
    private var lastReason = ""
    private var openedAt: Double?
    var now: @Sendable () -> Double = { Date().timeIntervalSinceReferenceDate }

    public init() {}

    public var isOpen: Bool { openedAt != nil }

    /// Why the next record must not be attempted; nil to attempt it (normally, or as the probe).
    public mutating func refusal() -> String? {
        guard let openedAt else { return nil }
        if now() - openedAt >= probeInterval {
            self.openedAt = now()  // one probe per interval
            return nil
        }
        return "not attempted: the server was unavailable for the last \(consecutive) \(what) (\(lastReason))"
    }

    public mutating func recordUnavailable(_ reason: String) {
        consecutive += 1
        lastReason = reason
        if consecutive >= threshold && openedAt == nil { openedAt = now() }
    }

    public mutating func recordSuccess() {
        consecutive = 0
        openedAt = nil
    }
}
