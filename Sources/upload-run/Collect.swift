import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// --hosts: reads parallel's output (`HostFrames`) as it comes, each RS-ended piece at once: whole records to the
/// results file, a batch that did not end well leaves its reason for the records it never answered, and a fatal
/// error or a server that stopped answering stops the run (the batches not started end at once). Log lines on
/// stdout.
struct Collect: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Collect the hosts' answers into the results file.")

    @OptionGroup var work: WorkOption

    /// A log line, written at once (the next piece may take long to come).
    static func line(_ text: String) { _ = FileWrite.all(Data((text + "\n").utf8), fd: STDOUT_FILENO) }

    func run() throws {
        let state = try work.state()
        let folder = state.work
        guard let tag = state.hostTag, !tag.isEmpty else { throw RunStep.die(state, "the hosts' answers have no tag to be read by (upload-run dispatch did not run)") }
        var frames = HostFrames(tag: tag)
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(STDIN_FILENO, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            pending.append(contentsOf: buffer[..<count])
            while let end = pending.firstIndex(of: 0x1E) {
                let piece = Data(pending[pending.startIndex..<end])
                pending = Data(pending[(end + 1)...])
                let outcome = frames.read(piece)
                if !outcome.results.isEmpty {
                    var data = Data()
                    for line in outcome.results {
                        data.append(line)
                        data.append(UInt8(ascii: "\n"))
                    }
                    if let failed = WorkFile.append(data, to: state.results, mode: state.fileMode) {
                        Self.line("upload-images: error: cannot write \(state.results): \(String(cString: strerror(failed)))")
                    }
                }
                for message in outcome.messages { Self.line(message) }
                if let batch = outcome.ended { WorkFile.append(Data("\(batch)\n".utf8), to: "\(folder)/ended", mode: 0o600) }
                if let died = outcome.died, let batch = outcome.ended { try? WorkFile.replace("\(folder)/died/\(batch)", with: Data("\(died)\n".utf8)) }
                if let stop = outcome.stop {
                    try? WorkFile.replace("\(folder)/\(stop)", with: Data())
                    try? WorkFile.replace("\(folder)/stop", with: Data())
                }
            }
        }
    }
}
