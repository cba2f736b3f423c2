/// A command's own stream markers (`StreamMarker`): its begin line when it starts, its end line when it stops,
/// however it stops (its work done, a fatal error), so the next stage always learns how it went. With
/// `--records-only` (a caller that checks every stage's exit status itself, as upload-images does) it writes
/// neither, and the exit status is the command's own work's alone, as if no stream rule applied.
public final class StageStream {
    /// The running command's stream, for `CommandRun.setUp` to end on a fatal error.
    nonisolated(unsafe) public static var current: StageStream?

    public let name: String
    public let writesMarkers: Bool
    public var tally: StreamTally
    private var ended = false

    /// Starts the command's stream: its begin line, at once, before any input is read.
    @discardableResult
    public static func start(_ name: String, producer: Bool = false, writesMarkers: Bool = true) -> StageStream {
        let stream = StageStream(name: name, producer: producer, writesMarkers: writesMarkers)
        current = stream
        stream.write(StreamMarker(.begin, by: name))
        return stream
    }

    private init(name: String, producer: Bool, writesMarkers: Bool) {
        self.name = name
        self.writesMarkers = writesMarkers
        tally = StreamTally(producer: producer)
    }

    /// Ends the stream with 2 and `error` (a fatal error of this command): nothing more will come.
    public func endFatal(_ error: String) {
        guard !ended else { return }
        ended = true
        write(tally.end(by: name, own: Toolkit.Exit.fatal, error: error))
    }

    /// Ends the stream after the command's work, whose own status was `own`; returns the exit status.
    public func finish(own: Int32 = 0) -> Int32 {
        guard writesMarkers else { return own }
        let end = tally.end(by: name, own: own)
        if !ended {
            ended = true
            write(end)
        }
        // Said once, by the stage that found it: a stage before that ended with 2 said why itself.
        if end.exit == Toolkit.Exit.fatal, own != Toolkit.Exit.fatal, (tally.worstEnd?.exit ?? 0) < Toolkit.Exit.fatal, let error = end.error {
            Console.error(error)
        }
        return end.exit ?? own
    }

    private func write(_ marker: StreamMarker) {
        guard writesMarkers else { return }
        try? LineWriter.writeLine(marker.encoded)
    }
}
