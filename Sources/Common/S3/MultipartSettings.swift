/// When an original goes up as a multipart upload, and in what parts (`--multipart-threshold`, `--part-size`,
/// `--part-concurrency`), with the bounds spaces-put and upload-images both enforce before any work.
///
/// S3's limits, which Spaces shares: parts of 5 MiB to 5 GiB (the last one may be smaller), at most 10,000
/// parts, at most 5 TiB per object, and a single PUT of at most 5 GiB; Spaces also allows at most 10 PUTs in
/// flight to any one object.
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
/// https://docs.digitalocean.com/products/spaces/details/limits/
///
/// The defaults: 64 MiB and 16 MiB parts, between aws-cli's (8 MiB and 8 MiB) and s5cmd's (50 MiB parts):
/// a photo, even a 50 MB raw, stays one PUT with one ETag that is its MD5; a 1 GiB scan is 64 parts, 4 in flight.
public struct MultipartSettings: Sendable, Equatable {
    /// Originals larger than this many bytes go up in parts.
    public var threshold: Int64 = 64 * mebibyte
    /// The size of every part but the last, unless the file would then need more than `maximumParts`.
    public var partSize: Int64 = 16 * mebibyte
    /// Parts of one file in flight at once, each over a connection of its own.
    public var concurrency = 10

    public static let mebibyte: Int64 = 1 << 20
    public static let minimumPartSize: Int64 = 5 * mebibyte
    public static let maximumPartSize: Int64 = 5 * 1024 * mebibyte
    /// The largest single PUT, so also the largest threshold: a larger file has to go in parts.
    public static let maximumSinglePut: Int64 = 5 * 1024 * mebibyte
    public static let maximumParts = 10_000
    public static let maximumObjectSize: Int64 = 5 * 1024 * 1024 * mebibyte
    public static let concurrencyRange = 1...10

    public init(threshold: Int64 = 64 * mebibyte, partSize: Int64 = 16 * mebibyte, concurrency: Int = 10) {
        self.threshold = threshold
        self.partSize = partSize
        self.concurrency = concurrency
    }

    /// Parses the options' values: each size as `ByteSize` reads it; nil stays the default. The first value that
    /// breaks its rule is thrown as one line naming the option.
    public init(threshold: String?, partSize: String?, concurrency: Int?) throws(Problem) {
        self.init()
        if let threshold {
            guard let bytes = ByteSize.parse(threshold), (Self.minimumPartSize...Self.maximumSinglePut).contains(bytes) else {
                throw Problem("--multipart-threshold must be a size from 5M to 5G, as 64M or 1.5G (K, M, G are 1024 multiples)")
            }
            self.threshold = bytes
        }
        if let partSize {
            guard let bytes = ByteSize.parse(partSize), (Self.minimumPartSize...Self.maximumPartSize).contains(bytes) else {
                throw Problem("--part-size must be a size from 5M to 5G, as 16M or 1G (K, M, G are 1024 multiples)")
            }
            self.partSize = bytes
        }
        if let concurrency {
            guard Self.concurrencyRange.contains(concurrency) else {
                throw Problem("--part-concurrency must be a whole number from 1 to 10 (Spaces allows 10 PUTs in flight to one object)")
            }
            self.concurrency = concurrency
        }
    }

    /// Whether a file of `size` bytes goes up in parts.
    public func usesParts(size: Int64) -> Bool { size > threshold }

    /// A rule broken, as one line naming the option.
    public struct Problem: Error, CustomStringConvertible, Sendable, Equatable {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}

/// A size as the options take it: plain bytes (`5242880`) or with `K`, `M` or `G` (either case), which are 1024
/// multiples as in curl's options and `--limit-rate`; a fraction of up to 6 digits is fine (`1.5G`).
public enum ByteSize {
    /// The bytes, rounded down; nil for anything else (`16MB`, `-1`, `1e6`, ` 16M`).
    public static func parse(_ text: String) -> Int64? {
        var digits = Substring(text)
        var multiplier: Int64 = 1
        switch digits.last {
        case "K", "k": multiplier = 1 << 10
        case "M", "m": multiplier = 1 << 20
        case "G", "g": multiplier = 1 << 30
        default: break
        }
        if multiplier > 1 { digits = digits.dropLast() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        func isDigits(_ part: Substring) -> Bool { part.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) } }
        guard let whole = parts.first, (1...13).contains(whole.count), isDigits(whole),
              parts.count == 1 || (1...6).contains(parts[1].count) && isDigits(parts[1]),
              let number = Double(digits) else { return nil }
        let bytes = (number * Double(multiplier)).rounded(.down)
        guard bytes < 9e15 else { return nil }
        return Int64(bytes)
    }

    /// `16 MiB`, `1.5 GiB`, `512 KiB`, `100 bytes`: a size as a person reads it, in units of 1024.
    public static func describe(_ bytes: Int64) -> String {
        for (unit, size) in [("TiB", Int64(1) << 40), ("GiB", Int64(1) << 30), ("MiB", Int64(1) << 20), ("KiB", Int64(1) << 10)]
        where bytes >= size {
            let tenths = (bytes * 10 + size / 2) / size
            return (tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)") + " \(unit)"
        }
        return "\(bytes) bytes"
    }
}
