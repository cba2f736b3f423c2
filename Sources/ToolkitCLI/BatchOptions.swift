import ArgumentParser
import Common

/// `--batches DIR --claim-into DIR`: the stage that heads a worker (img-thumb, or spaces-get with --from-bucket)
/// reads its records from a shared queue of batch files instead of stdin (`BatchQueue`).
public struct BatchOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Read the records from the batch files in dir instead of stdin, taking one at a time (renamed into \
        --claim-into) until none is left: several processes share one queue to the end.
        """, valueName: "dir"))
    public var batches: String?

    @Option(help: ArgumentHelp("With --batches: the folder this process moves the batches it takes into.", valueName: "dir"))
    public var claimInto: String?

    public init() {}

    public func validate() throws {
        guard (batches == nil) == (claimInto == nil) else { throw ValidationError("--batches and --claim-into go together") }
    }

    /// The queue, with --batches; nil: the records come on stdin.
    public var queue: BatchQueue? { batches.map { BatchQueue(queue: $0, claimed: claimInto ?? $0) } }
}
