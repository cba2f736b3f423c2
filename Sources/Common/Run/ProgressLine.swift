import FoundationEssentials

/// The progress of the upload as shown while it runs: a bar on a terminal, a plain line every 5 s otherwise. The
/// share done, the bar and the ETA follow the bytes of originals stored when their total is known (a huge file
/// moves the line part by part), else the images answered.
public struct ProgressLine: Sendable, Equatable {
    /// Images answered (result lines written) of `total`, and how many of them failed.
    public var done: Int
    public var total: Int
    public var failed: Int
    /// Bytes of originals stored so far, of `totalBytes` (0 when unknown: records without sizes).
    public var bytes: Int64
    public var totalBytes: Int64
    public var elapsed: Double

    public init(done: Int, total: Int, failed: Int, bytes: Int64, totalBytes: Int64, elapsed: Double) {
        self.done = done
        self.total = total
        self.failed = failed
        self.bytes = bytes
        self.totalBytes = totalBytes
        self.elapsed = elapsed
    }

    /// The share done, from 0 to 1.
    public var fraction: Double {
        let share = totalBytes > 0 ? Double(bytes) / Double(totalBytes) : total > 0 ? Double(done) / Double(total) : 1
        return min(max(share, 0), 1)
    }

    public var percent: Int { Int(fraction * 100) }

    /// `m:ss` left at the pace so far (0:00 before anything is done).
    public var eta: String {
        let seconds = fraction > 0 && elapsed > 0 ? elapsed * (1 - fraction) / fraction : 0
        let whole = Int(seconds)
        return Printf.string("%d:%02d", whole / 60, whole % 60)
    }

    private var rate: String { Printf.string("%.1f", elapsed > 0 ? Double(done) / elapsed : 0) }

    private var sizes: String {
        RunUnits.bytes(bytes) + (totalBytes > 0 ? " of \(RunUnits.bytes(totalBytes))" : "")
    }

    /// `[#########.....................] 120/500 images, 1.2 GiB of 4.0 GiB (30%), 12.0 img/s 40.1 MB/s ETA 1:10 failed 0`
    public var bar: String {
        let width = 30
        let filled = percent * width / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "[\(bar)] \(done)/\(total) images, \(sizes) (\(percent)%), \(rate) img/s \(RunUnits.megabytesPerSecond(bytes, seconds: elapsed)) MB/s ETA \(eta) failed \(failed)"
    }

    /// `upload-images: progress 120/500 images, ... ETA 1:10, 0 failed`, for a log or a pipe.
    public var plain: String {
        "upload-images: progress \(done)/\(total) images, \(sizes) (\(percent)%), \(rate) img/s, \(RunUnits.megabytesPerSecond(bytes, seconds: elapsed)) MB/s, ETA \(eta), \(failed) failed"
    }
}
