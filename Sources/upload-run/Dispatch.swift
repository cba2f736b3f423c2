import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// --hosts, as the upload begins: the run's tag saved for `collect`, parallel's words for the upload written
/// (`HostDispatch.uploadWords`), and the header every batch carries printed on stdout, for the script to put in
/// front of each batch (it holds the settings: it goes through pipes only, never into a file).
struct Dispatch: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the batches' header and write parallel's words for the upload.")

    @OptionGroup var work: WorkOption

    func run() throws {
        var state = try work.state()
        // The header holds the settings: only into a pipe (the script's), never a file or a terminal.
        var out = stat()
        guard fstat(STDOUT_FILENO, &out) == 0, out.st_mode & S_IFMT == S_IFIFO else {
            throw RunStep.die(state, "upload-run dispatch writes the batches' header only into a pipe")
        }
        let folder = state.work
        let hosts = WorkFile.text(folder + "/sshlogins").split(separator: "\n").count
        let dispatch = HostDispatch(hosts: hosts, connectTimeout: state.options.requestSettings.connectTimeout, work: folder)
        let tag = HostDispatch.newTag()
        state.hostTag = tag
        try RunStep.save(state)
        let settingsFile = state.options.envFile ?? ".env"
        let header = HostDispatch.header(bin: state.bin, tag: tag, thumb: WorkFile.words(folder + "/host-thumb.args"),
                                         put: WorkFile.words(folder + "/host-put.args"),
                                         environment: ProcessInfo.processInfo.environment,
                                         settings: WorkFile.read(settingsFile).map { String(decoding: $0, as: UTF8.self) })
        var largest = 0
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder + "/batches")) ?? [] where name.hasPrefix("batch.") {
            var info = stat()
            if stat("\(folder)/batches/\(name)", &info) == 0 { largest = max(largest, Int(info.st_size)) }
        }
        do {
            try WorkFile.writeWords(dispatch.uploadWords(largestBatch: largest, headerBytes: header.utf8.count), to: folder + "/parallel.args")
        } catch {
            throw RunStep.die(state, "cannot write in the work folder: \(error)")
        }
        guard FileWrite.all(Data((header + "\n").utf8), fd: STDOUT_FILENO) == nil else { throw ExitCode(Toolkit.Exit.fatal) }
    }
}
