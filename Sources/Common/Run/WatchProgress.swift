/// The progress of `upload-images --watch`, which has no total: what became of the images so far, and how many
/// the scan sent that have no result yet.
public struct WatchProgress: Sendable, Equatable {
    public var uploaded: Int
    public var skipped: Int
    public var failed: Int
    public var waiting: Int

    /// From the result lines so far (`failed` and `skipped` among them) and the records the scan sent.
    public init(results: Int, failed: Int, skipped: Int, sent: Int) {
        uploaded = max(0, results - failed - skipped)
        self.skipped = skipped
        self.failed = failed
        waiting = max(0, sent - results)
    }

    /// `watching: 12 uploaded, 3 skipped, 0 failed, 2 waiting`.
    public var text: String {
        "watching: \(uploaded) uploaded, \(skipped) skipped, \(failed) failed, \(waiting) waiting"
    }
}
