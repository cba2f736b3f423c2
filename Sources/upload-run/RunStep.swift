import ArgumentParser
import Common
import FoundationEssentials

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

    /// A command's stderr, kept in a work file: relayed to the log and the console (`RunLog.relay`).
    static func relay(file path: String, _ state: RunState) {
        let lines = WorkFile.lines(path).map { String(decoding: $0, as: UTF8.self) }
        log(state).relay(lines: lines)
    }
}
