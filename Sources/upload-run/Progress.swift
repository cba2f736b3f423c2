import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// While the workers run: the progress (`ProgressLine`), a bar on a terminal redrawn twice a second, a plain
/// line every 5 s otherwise. Bytes are the originals' as the workers' spaces-put store them (each keeps its count
/// in `progress/LANE`). It ends when stopped, or when the run's process is gone, even killed with SIGKILL.
struct Progress: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the progress of the upload until stopped.")

    @OptionGroup var work: WorkOption

    @Option(help: ArgumentHelp("The run's process: the progress ends with it.", valueName: "pid"))
    var owner: Int32

    func run() throws {
        let state = try work.state()
        let terminal = isatty(STDERR_FILENO) == 1
        var results = LineFollower(path: state.results, offset: Self.size(of: state.results))
        var lastLine = 0.0, lastText = ""
        while kill(owner, 0) == 0 {
            usleep(500_000)
            results.update()
            if state.options.watch {
                // No total: what became of the images so far, shown when it changes (every 5 s at most off a terminal).
                let sent = Int(WorkFile.text(state.work + "/scan.count").filter(\.isNumber)) ?? results.lines
                let text = WatchProgress(results: results.lines, failed: results.failed, skipped: results.skipped, sent: sent).text
                let now = Date().timeIntervalSince1970
                if terminal {
                    _ = FileWrite.all(Data("\r\u{1B}[K\(text)".utf8), fd: STDERR_FILENO)
                } else if text != lastText && now - lastLine >= 5 {
                    _ = FileWrite.all(Data("upload-images: \(text)\n".utf8), fd: STDERR_FILENO)
                    lastLine = now
                    lastText = text
                }
                continue
            }
            let line = ProgressLine(done: results.lines, total: state.pending, failed: results.failed + state.earlyFailed,
                                    bytes: storedBytes(in: state.work + "/progress"), totalBytes: state.pendingBytes, elapsed: state.elapsed)
            let now = Date().timeIntervalSince1970
            if terminal {
                _ = FileWrite.all(Data("\r\u{1B}[K\(line.bar)".utf8), fd: STDERR_FILENO)
            } else if now - lastLine >= 5 {
                _ = FileWrite.all(Data("\(line.plain)\n".utf8), fd: STDERR_FILENO)
                lastLine = now
            }
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
            let text = WorkFile.text("\(folder)/\(name)")
            return total + (Int64(text.trimmingWhitespace().filter { $0 != "\n" }) ?? 0)
        }
    }
}
