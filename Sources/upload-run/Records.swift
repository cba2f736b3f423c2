import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// --from-records: the records of a file (an earlier run's failures or results), as img-scan would write them:
/// their status, error and reason dropped, so they are decided and uploaded again; a pipeline's stream lines
/// left out. Exit 2 with the line's number when a line is not a record.
struct Records: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the records of FILE without their status, to upload them again.")

    @Argument(help: "The records file.")
    var file: String

    func run() throws {
        Console.commandName = RunStep.name
        Console.ignoreSIGPIPE()
        let fd = open(file, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            Console.error("cannot read records file: \(file)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
        defer { close(fd) }
        let reader = LineReader(fd: fd)
        var lines: [Data] = []
        while let line = reader.next() {
            switch RecordLine.classify(line, lineNumber: reader.lineNumber) {
            case .blank, .marker:
                continue
            case .malformed(let message, _):
                // A results file of a --delete-removed run also holds its deletions: not images, left out.
                if (try? JSONDecoder().decode(RemovalRecord.self, from: line))?.action == RemovalRecord.action { continue }
                Console.error("\(file): \(message)")
                throw ExitCode(Toolkit.Exit.fatal)
            case .pending(var record), .finished(_, var record):
                record.status = nil
                record.error = nil
                record.reason = nil
                lines.append(RecordCoding.encode(record))
            }
            if lines.count >= 1000 {
                try write(lines)
                lines.removeAll(keepingCapacity: true)
            }
        }
        try write(lines)
    }

    private func write(_ lines: [Data]) throws {
        do { try LineWriter.writeLines(lines) } catch {
            Console.error("\(error)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
    }
}
