import FoundationEssentials
import Glibc

/// A bandwidth cap in bytes per second, as `--limit-rate` takes it: `500K`, `10M`, `1.5G` or plain bytes,
/// the suffixes 1024 multiples (K = 1,024, M = 1,048,576, G = 1,073,741,824) as in curl's `--limit-rate`.
/// upload-images' options.bash checks the same rule, so that a cap every worker would refuse is refused
/// before any work.
/// https://curl.se/docs/manpage.html#--limit-rate
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public let bytesPerSecond: Int64

    public static let minimum: Int64 = 1024
    public static let maximum: Int64 = 1024 * 1024 * 1024 * 1024

    /// The rule a bad value breaks, as one line naming the option.
    public static let rule = "--limit-rate must be bytes per second from 1K to 1024G, as 500K, 10M or 1.5G (K, M, G are 1024 multiples)"

    public init?(bytesPerSecond: Int64) {
        guard (Self.minimum...Self.maximum).contains(bytesPerSecond) else { return nil }
        self.bytesPerSecond = bytesPerSecond
    }

    /// Digits, optionally a fraction of up to 6 digits, optionally one of K, M, G (either case); nil for
    /// anything else (`10MB`, `-1`, `1e6`, ` 10M`) and for a rate out of bounds.
    public init?(parsing text: String) {
        var digits = Substring(text)
        var multiplier: Int64 = 1
        switch digits.last {
        case "K", "k": multiplier = 1024
        case "M", "m": multiplier = 1024 * 1024
        case "G", "g": multiplier = 1024 * 1024 * 1024
        default: break
        }
        if multiplier > 1 { digits = digits.dropLast() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, (1...10).contains(whole.count), whole.allSatisfy(\.isASCIIDigit),
              parts.count == 1 || (1...6).contains(parts[1].count) && parts[1].allSatisfy(\.isASCIIDigit),
              let number = Double(digits) else { return nil }
        // Whole bytes, rounded down as options.bash's awk does.
        let bytes = (number * Double(multiplier)).rounded(.down)
        guard bytes <= Double(Self.maximum) else { return nil }
        self.init(bytesPerSecond: Int64(bytes))
    }

    /// `10 MiB/s`, `500 KiB/s`, `1536 B/s`: the cap as a person reads it.
    public var description: String {
        for (unit, size) in [("GiB", Int64(1) << 30), ("MiB", Int64(1) << 20), ("KiB", Int64(1) << 10)] where bytesPerSecond >= size {
            let value = Double(bytesPerSecond) / Double(size)
            return (value == value.rounded() ? String(Int64(value)) : Printf.string("%.2f", value)) + " \(unit)/s"
        }
        return "\(bytesPerSecond) B/s"
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
