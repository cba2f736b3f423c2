import Foundation
import TestSupport
import Testing
@testable import Common

/// The GCRA's arithmetic on a clock of the test's own (no sleeping), then the shared file and the sleeps.
@Suite(.unitTimeLimit) struct RateLimiterTests {
    let mebibyte: Int64 = 1_048_576
    let second: UInt64 = 1_000_000_000
    let burst = RateLimiter.burstNanoseconds

    @Test func afterIdleTimeABurstGoesAtOnceThenEachPieceWaitsItsShare() {
        let now = 100 * second
        // 64 KiB at 1 MiB/s cost 62.5 ms each; idle time earned 100 ms of credit.
        let first = RateLimiter.schedule(bytes: 65536, rate: mebibyte, now: now, freeAt: 0)
        #expect(first == (now - burst + 62_500_000, 0))
        let second = RateLimiter.schedule(bytes: 65536, rate: mebibyte, now: now, freeAt: first.freeAt)
        #expect(second == (now + 25_000_000, 0))
        let third = RateLimiter.schedule(bytes: 65536, rate: mebibyte, now: now, freeAt: second.freeAt)
        #expect(third == (now + 87_500_000, 25_000_000))
        // Credit does not pile up: a minute of idleness earns the same 100 ms.
        let later = RateLimiter.schedule(bytes: 1, rate: mebibyte, now: now + 60 * self.second, freeAt: third.freeAt)
        #expect(later.freeAt == now + 60 * self.second - burst + 953)
    }

    @Test func aFreeTimeFurtherAheadThanAnHourIsNotBelieved() {
        let now = 5 * second
        let step = RateLimiter.schedule(bytes: 1024, rate: 1024, now: now, freeAt: now + 7200 * second)
        #expect(step == (now + second, 0))
        let queued = RateLimiter.schedule(bytes: 1024, rate: 1024, now: now, freeAt: now + 600 * second)
        #expect(queued == (now + 601 * second, 600 * second))
    }

    /// Senders taking turns on a simulated clock (each sends its piece the moment its wait ends): over any run,
    /// the bytes sent are the rate's worth plus at most the burst and one piece per sender, never less than
    /// the rate's worth minus one piece per sender.
    @Test(arguments: [1, 4, 10])
    func manySendersTogetherKeepToTheRate(senders: Int) {
        let rate = 2 * mebibyte, piece = 65536, start = 1000 * second, end = start + 10 * second
        var ready = Array(repeating: start, count: senders)
        var freeAt: UInt64 = 0, sent: Int64 = 0
        while let next = ready.indices.min(by: { ready[$0] < ready[$1] }), ready[next] < end {
            let step = RateLimiter.schedule(bytes: piece, rate: rate, now: ready[next], freeAt: freeAt)
            freeAt = step.freeAt
            ready[next] += step.wait
            if ready[next] < end { sent += Int64(piece) }
        }
        let ideal = 20 * mebibyte, slack = Int64(senders * piece)
        #expect(sent >= ideal - slack && sent <= ideal + rate / 10 + slack, "\(sent) bytes in 10 s at 2 MiB/s")
    }

    /// Two limiters on one file, as two processes would have: the second waits for what the first booked. A
    /// limiter of its own knows nothing of either.
    @Test func limitersSharingAFileShareOneBudget() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path + "/share"
        let limit = try #require(RateLimit(parsing: "1M"))
        let one = try RateLimiter(limit: limit, sharedFile: path)
        let two = try RateLimiter(limit: limit, sharedFile: path)
        #expect(one.reserve(Int(mebibyte)) == 0)
        let wait = Double(two.reserve(1024)) / 1e9
        #expect(wait > 0.85 && wait <= 0.9, "one booked 1 s less the 0.1 s burst: \(wait)")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 8)
        #expect(RateLimiter(limit: limit).reserve(1024) == 0)
        #expect(throws: RateLimiterError.self) { try RateLimiter(limit: limit, sharedFile: folder.path + "/no/such/folder/share") }
    }

    @Test func pacingSleepsTheWaitAndStopsWhenInterrupted() throws {
        let limiter = RateLimiter(limit: try #require(RateLimit(parsing: "1M")))
        let started = Date()
        for _ in 0..<5 { #expect(limiter.pace(65536, interrupted: { false })) }
        // 320 KiB at 1 MiB/s take 312.5 ms, less the 100 ms burst and the last piece's own 62.5 ms: 150 ms.
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed > 0.14 && elapsed < 0.5, "\(elapsed)")
        // Waits booked: 25 + 62.5 + 62.5 ms, less whatever a late wake-up already spent.
        #expect(limiter.secondsWaited > 0.1 && limiter.secondsWaited <= 0.151, "\(limiter.secondsWaited)")

        _ = limiter.reserve(Int(10 * mebibyte))  // ten seconds booked ahead
        let asked = Date()
        var looks = 0
        #expect(!limiter.pace(1, interrupted: { looks += 1; return looks > 2 }))
        #expect(Date().timeIntervalSince(asked) < 0.5, "slices of 50 ms: a stop is seen within one")
    }
}
