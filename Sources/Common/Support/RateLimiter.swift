import FoundationEssentials
import Glibc

/// Paces request bodies to one `RateLimit` shared by every connection of a process or, through a small file,
/// by every process of a run (upload-images' workers), so that `--limit-rate 10M` means 10 MiB/s in all.
///
/// A GCRA (generic cell rate algorithm, virtual scheduling): the only state is the time at which the cap is
/// free again, in nanoseconds of CLOCK_MONOTONIC, which every process of the machine reads alike. Each piece
/// of a body books its time after that (`schedule`), under a lock (`flock(2)` on the shared file), and its
/// sender then sleeps, without the lock, until its turn. curl's own CURLOPT_MAX_SEND_SPEED_LARGE caps one
/// handle only.
public final class RateLimiter: @unchecked Sendable {
    public let limit: RateLimit
    /// Idle time earns at most this much credit: after a pause, a tenth of a second's worth goes at once.
    public static let burstNanoseconds: UInt64 = 100_000_000
    /// A next free time further ahead than this is not a queue of waiting senders but a damaged file (or
    /// one from before a reboot): the cap starts afresh.
    static let maximumAheadNanoseconds: UInt64 = 3600 * 1_000_000_000
    /// How often a sleeping sender looks at whether it was asked to stop.
    static let sliceNanoseconds: UInt64 = 50_000_000

    private let lock = Lock()
    /// The next free time when it lives in this process (and if the shared file fails).
    private var freeAt: UInt64 = 0
    /// The shared file's descriptor, or -1.
    private let sharedFile: Int32
    private var waited: UInt64 = 0

    /// A cap for this process alone: every connection it opens shares it.
    public init(limit: RateLimit) {
        self.limit = limit
        sharedFile = -1
    }

    /// A cap shared by every process that opens the same `path` (created if missing). The file holds the next
    /// free time, 8 bytes, native byte order; an empty file means "free now".
    public init(limit: RateLimit, sharedFile path: String) throws(RateLimiterError) {
        self.limit = limit
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw RateLimiterError(path: path, reason: String(cString: strerror(errno))) }
        sharedFile = fd
    }

    deinit { if sharedFile >= 0 { close(sharedFile) } }

    /// The largest piece of a body to hand to curl at once: a tenth of a second's worth (at least 256 bytes),
    /// so that the pace is smooth and a sender never waits long for one piece.
    public var chunkSize: Int { Int(max(256, limit.bytesPerSecond / 10)) }

    /// Seconds this limiter's senders have slept so far.
    public var secondsWaited: Double {
        lock.lock()
        defer { lock.unlock() }
        return Double(waited) / 1e9
    }

    /// One GCRA step, pure: `bytes` start at the next free time (or now, less the burst credit, if that is
    /// later) and keep the cap busy for their share of a second. Returns the new next free time and how long
    /// to wait before sending.
    public static func schedule(bytes: Int, rate: Int64, now: UInt64, freeAt: UInt64,
                                burst: UInt64 = burstNanoseconds) -> (freeAt: UInt64, wait: UInt64) {
        let cost = UInt64(max(bytes, 0)) * 1_000_000_000 / UInt64(rate)
        var start = max(freeAt, now > burst ? now - burst : 0)
        if start > now + maximumAheadNanoseconds { start = now }
        return (start + cost, start > now ? start - now : 0)
    }

    /// Books `bytes` and returns the nanoseconds to wait before sending them.
    public func reserve(_ bytes: Int) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        guard sharedFile >= 0, lockFile(LOCK_EX) else {
            // The shared file failed (it never should): this process still keeps to the cap on its own.
            let step = Self.schedule(bytes: bytes, rate: limit.bytesPerSecond, now: Self.now(), freeAt: freeAt)
            freeAt = step.freeAt
            return step.wait
        }
        defer { _ = lockFile(LOCK_UN) }
        var stored: UInt64 = 0
        let read = withUnsafeMutableBytes(of: &stored) { pread(sharedFile, $0.baseAddress, 8, 0) }
        if read != 8 { stored = 0 }
        // The clock is read once the lock is held: the wait for the lock is time that has passed.
        var step = Self.schedule(bytes: bytes, rate: limit.bytesPerSecond, now: Self.now(), freeAt: stored)
        _ = withUnsafeBytes(of: &step.freeAt) { pwrite(sharedFile, $0.baseAddress, 8, 0) }
        return step.wait
    }

    /// Books `bytes` and sleeps until they may go, in slices, looking at `interrupted` between them: false
    /// when it turned true before the wait was over (the bytes are then not to be sent).
    public func pace(_ bytes: Int, interrupted: () -> Bool) -> Bool {
        let wait = reserve(bytes)
        guard wait > 0 else { return true }
        let deadline = Self.now() + wait
        while true {
            if interrupted() { return false }
            let now = Self.now()
            if now >= deadline { break }
            let slice = min(deadline - now, Self.sliceNanoseconds)
            var request = timespec(tv_sec: Int(slice / 1_000_000_000), tv_nsec: Int(slice % 1_000_000_000))
            // A signal ends the sleep early (EINTR): the loop looks at `interrupted` and sleeps the rest.
            nanosleep(&request, nil)
        }
        lock.lock()
        waited += wait
        lock.unlock()
        return true
    }

    private func lockFile(_ operation: Int32) -> Bool {
        while flock(sharedFile, operation) != 0 {
            if errno != EINTR { return false }
        }
        return true
    }

    /// CLOCK_MONOTONIC in nanoseconds: the same clock for every process of the machine.
    static func now() -> UInt64 { MonotonicClock.nanoseconds() }
}

/// The shared file of a rate limit could not be opened.
public struct RateLimiterError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "cannot open the rate limit's shared file \(path): \(reason)" }
}
