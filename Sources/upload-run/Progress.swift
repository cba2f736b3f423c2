import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// While the workers run: the progress (`ProgressLine`), a bar on a terminal redrawn twice a second, a plain
/// line every 5 s into the log and, off a terminal, onto the console (`ProgressCadence`). Bytes are the
/// originals' as the workers' spaces-put store them (each keeps its count in `progress/LANE`). It ends when stopped, or when the run's process is gone, even killed with SIGKILL.
struct Progress: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the progress of the upload until stopped.")

    @OptionGroup var work: WorkOption

    @Option(help: ArgumentHelp("The run's process: the progress ends with it.", valueName: "pid"))
    var owner: Int32

    func run() throws {
        let state = try work.state()
        let log = RunStep.log(state)
        var cadence = ProgressCadence(terminal: isatty(STDERR_FILENO) == 1, onlyChanges: state.options.watch)
        var results = LineFollower(path: state.results, offset: Self.size(of: state.results))
        while kill(owner, 0) == 0 {
            usleep(500_000)
            results.update()
            let bar: String, plain: String
            if state.options.watch {
                // No total: what became of the images so far.
                let sent = WorkFile.number(state.work + "/scan.count").map(Int.init) ?? results.lines
                bar = WatchProgress(results: results.lines, failed: results.failed, skipped: results.skipped, sent: sent).text
                plain = "upload-images: " + bar
            } else {
                let line = ProgressLine(done: results.lines, total: state.pending, failed: results.failed + state.earlyFailed,
                                        bytes: storedBytes(in: state.work + "/progress"), totalBytes: state.pendingBytes, elapsed: state.elapsed)
                (bar, plain) = (line.bar, line.plain)
            }
            let writes = cadence.look(at: MonotonicClock.seconds(), bar: bar, plain: plain)
            if let bar = writes.bar { _ = FileWrite.all(Data("\r\u{1B}[K\(bar)".utf8), fd: STDERR_FILENO) }
            if let text = writes.console { _ = FileWrite.all(Data("\(text)\n".utf8), fd: STDERR_FILENO) }
            if let text = writes.log { log.line(text) }
        }
    }

    static func size(of path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// The workers' counts added up (`UploadProgress` files; their `.new` files are half-written).
    func storedBytes(in folder: String) -> Int64 {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { !$0.hasSuffix(".new") }.reduce(0) { total, name in
            total + (WorkFile.number("\(folder)/\(name)") ?? 0)
        }
    }
}
