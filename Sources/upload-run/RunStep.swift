import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// The run's voice: messages as `upload-images: ...`, on the console and in the log.
enum RunStep {
    static let name = "upload-images"

    static func log(_ state: RunState) -> RunLog { RunLog(path: state.log, warnedPath: state.work + "/warned") }

    /// A fatal end of the run: one line on the console, `fatal: ...` in the log, exit 2.
    static func die(_ state: RunState, _ message: String) -> ExitCode {
        let log = log(state)
        log.console("\(name): \(message)")
        log.line("fatal: \(message)")
        return ExitCode(Toolkit.Exit.fatal)
    }

    static func save(_ state: RunState) throws {
        do { try state.save() } catch {
            Console.error("cannot save the run's state: \(error)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
    }

    /// A command's stderr, kept in a work file: relayed to the log and the console (`RunLog.relay`) as it is read,
    /// each line also shown to `watch`.
    static func relay(file path: String, _ state: RunState, watch: (String) -> Void = { _ in }) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        withoutActuallyEscaping(watch) { watch in
            log(state).relay(lines: LineReader(fd: fd).lazy.map { line in
                let text = String(decoding: line, as: UTF8.self)
                watch(text)
                return text
            })
        }
    }

    /// The removals of --delete-removed, as the run's messages name them.
    /// Said as the deletion of what is gone from the folder begins.
    static func sayDeleting(_ state: RunState) {
        log(state).say("deleting \(removalsText(state))")
    }

    static func removalsText(_ state: RunState) -> String {
        let removals = state.removals
        return "\(RunUnits.counted(removals.total, "object")) whose image is gone (\(RunUnits.counted(removals.originals, "original")), \(RunUnits.counted(removals.thumbnails, "thumbnail")))"
    }
}
