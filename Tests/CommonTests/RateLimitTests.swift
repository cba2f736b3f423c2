import TestSupport
import Testing
@testable import Common

/// `--limit-rate`'s values, as curl's `--limit-rate` takes them (K, M, G are 1024 multiples).
@Suite(.unitTimeLimit) struct RateLimitTests {
    @Test(arguments: [
        ("1024", 1024), ("500K", 512_000), ("500k", 512_000), ("10M", 10_485_760), ("2m", 2_097_152),
        ("1.5G", 1_610_612_736), ("0.5M", 524_288), ("1.5K", 1536), ("1024G", 1_099_511_627_776),
        ("0001K", 1024), ("1.000001K", 1024),
    ] as [(String, Int64)])
    func acceptsBytesAndSuffixes(_ text: String, _ bytes: Int64) {
        #expect(RateLimit(parsing: text)?.bytesPerSecond == bytes, "\(text)")
    }

    /// Each is refused by options.bash too (LimitRateTests checks that both say so).
    @Test(arguments: ["", "0", "1023", "0.9K", "1025G", "1T", "10MB", "10 M", " 10M", "10M ", "-1", "+5M", "1e6", ".5M",
                      "5.", "5.K", "1.1234567K", "0x10", "١٠M", "12345678901", "M", "10MM", "1,5M"])
    func refusesAnythingElse(_ text: String) {
        #expect(RateLimit(parsing: text) == nil, "\(text)")
    }

    @Test func readsAsAPersonWouldSayIt() {
        #expect(RateLimit(parsing: "10M")?.description == "10 MiB/s")
        #expect(RateLimit(parsing: "1.5G")?.description == "1.50 GiB/s")
        #expect(RateLimit(parsing: "1536")?.description == "1.50 KiB/s")
        #expect(RateLimit(bytesPerSecond: 5000)?.description == "4.88 KiB/s")
        #expect(RateLimit(bytesPerSecond: 1023) == nil)
    }
}
