import ArgumentParser
import Common
import FoundationEssentials
import Glibc
import ToolkitCLI

/// The first step: the command line, checked (64 and one line for a bad one); the pre-flight checks of the
/// folder and the settings, which leave no log when they fail; then the log file, the run's state and each
/// command's words in the work folder. The credentials and the bucket (one HeadBucket) are checked by `preflight`,
/// beside the scan.
struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the command line and the settings, and begin the run.")

    @OptionGroup var work: WorkOption

    @Option(help: ArgumentHelp("The folder of the toolkit's commands.", valueName: "folder"))
    var bin: String

    @Option(help: ArgumentHelp("The process that owns the work folder (upload-images).", valueName: "pid"))
    var owner: Int32

    @Argument(parsing: .captureForPassthrough, help: "upload-images' command line.")
    var words: [String] = []

    func run() throws {
        Console.commandName = RunStep.name
        Console.ignoreSIGPIPE()
        let words = words.first == "--" ? Array(words.dropFirst()) : words
        var options = try Self.parse(words)
        if let problem = options.problem { throw Self.usage(problem) }
        var hosts: HostList?
        if options.usesHosts {
            switch HostList.parse(files: options.hostFiles, logins: options.sshLogins, workers: options.workerCount,
                                  read: { WorkFile.read($0).map { String(decoding: $0, as: UTF8.self) } }) {
            case .success(let list): hosts = list
            case .failure(.usage(let problem)): throw Self.usage(problem)
            case .failure(.unreadable(let problem)): throw Self.fatal(problem)
            }
        }
        WorkFolder.removeStale(besides: work.work)
        try? WorkFile.replace(work.work + "/owner", with: Data("\(owner) \(WorkFolder.startTime(of: owner) ?? "")\n".utf8))
        if let folder = options.folder, options.fromRecords == nil {
            var info = stat()
            guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { throw Self.fatal("Directory not found: \(folder)") }
        }
        if let file = options.fromRecords, access(file, R_OK) != 0 { throw Self.fatal("cannot read records file: \(file)") }
        var warnings: [String] = []
        try settings(options, warnings: &warnings)

        // Presigned URLs open private objects: with --presign, the run's files are the user's alone.
        if options.presign != nil { umask(0o077) }
        guard let files = RunFiles.create(in: FileManager.default.currentDirectoryPath, stamp: RunFiles.stamp(), mode: 0o666) else {
            throw Self.fatal("cannot create a log file in \(FileManager.default.currentDirectoryPath)")
        }
        var state = RunState(options: options, commandLine: words.joined(separator: " "), work: work.work, bin: bin, files: files,
                             started: Date().timeIntervalSince1970)
        let log = RunStep.log(state)
        log.line("upload-images \(state.commandLine) (workers=\(options.workers) batch-size=\(options.batchSize) prefix=\(options.prefix) skip-existing=\(options.skipExisting ? 1 : 0) dry-run=\(options.dryRun ? 1 : 0))")
        log.line("commands from \(bin)")
        for warning in warnings {
            log.line("upload-images: warning: \(warning)")
            WorkFile.append(Data((warning + "\n").utf8), to: state.work + "/warned", mode: 0o600)
        }
        if let hosts, !options.dryRun {
            state.workers = hosts.workers
            options.workers = String(hosts.workers)
            // parallel's ssh command and the probe's words (`HostDispatch`), and the hosts.
            let dispatch = HostDispatch(hosts: hosts.entries.count, connectTimeout: options.requestSettings.connectTimeout, work: work.work)
            do {
                if let folder = dispatch.controlFolder { mkdir(folder, 0o700) }
                try WorkFile.replace(work.work + "/ssh.command", with: Data(dispatch.sshCommand(base: getenv("PARALLEL_SSH").map { String(cString: $0) }).utf8))
                try WorkFile.writeWords(dispatch.probeWords, to: work.work + "/probe.args")
                try WorkFile.replace(work.work + "/sshlogins", with: Data(hosts.fileText.utf8))
            } catch {
                throw RunStep.die(state, "cannot write in the work folder: \(error)")
            }
            log.line("hosts given: \(hosts.entries.map(\.line).joined(separator: " "))")
        }
        guard symlink(files.results, work.work + "/results") == 0 else {
            throw RunStep.die(state, "cannot write in the work folder \(work.work): \(String(cString: strerror(errno)))")
        }
        if !options.retryFailed && options.fromRecords == nil {
            state.earlierResults = EarlierFailures.latestResults(in: FileManager.default.currentDirectoryPath, besides: files.results)
        }
        let stages = RunStages(options: options, work: work.work, bin: bin)
        do {
            try WorkFile.writeWords(stages.source, to: work.work + "/source.args")
            try WorkFile.writeWords(stages.exists, to: work.work + "/exists.args")
            try WorkFile.writeWords(stages.thumb, to: work.work + "/thumb.args")
            try WorkFile.writeWords(stages.put, to: work.work + "/put.args")
            try WorkFile.writeWords(stages.hostPut, to: work.work + "/host-put.args")
            try WorkFile.writeWords(stages.hostThumb, to: work.work + "/host-thumb.args")
            try WorkFile.writeWords(stages.delete, to: work.work + "/delete.args")
            if stages.downloads { try WorkFile.writeWords(stages.get, to: work.work + "/get.args") }
            if options.watch {
                try WorkFile.replace(work.work + "/watch", with: Data())
                // The results begin empty: the pipeline appends to them as it goes.
                if let failed = WorkFile.append(Data(), to: files.results, mode: state.fileMode) { throw FileError(path: files.results, errno: failed) }
            }
            // A dry run aborts nothing, and lists nothing.
            if !options.dryRun { try WorkFile.writeWords(stages.before, to: work.work + "/before.args") }
        } catch {
            throw RunStep.die(state, "cannot write in the work folder: \(error)")
        }
        try RunStep.save(state)
    }

    /// What the run says it is doing, once the pre-flight request has passed.
    static func doing(_ options: RunOptions) -> String {
        if let file = options.fromRecords { return "reading records from \(file)" }
        if options.fromBucket {
            return "listing the originals under \(KeyMapper(prefix: options.prefix).originalKey(for: ""))\(options.skipExisting ? " and checking which thumbnails are already there" : "")"
        }
        if options.watch { return "watching \(options.folder ?? "."): its images, then each one that arrives, until INT or TERM (Ctrl+C)" }
        return "scanning \(options.folder ?? ".")\(options.skipExisting ? " and checking which images are already uploaded" : "")"
    }

    /// The settings: a failure is one line, exit 2. Warnings are shown now and logged once the log exists.
    private func settings(_ options: RunOptions, warnings: inout [String]) throws {
        do {
            var told: [String] = []
            _ = try ConfigLoader.load(envFile: options.envFile) { warning in
                Console.warning(warning)
                told.append(warning)
            }
            warnings = told
        } catch {
            Console.error("\(error)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
    }

    /// One HeadBucket with the run's settings: the credentials and the bucket. A failure is one line, exit 2.
    static func headBucket(_ options: RunOptions) throws {
        do {
            let config = try ConfigLoader.load(envFile: options.envFile) { _ in }  // its warnings were shown by start
            let request = options.requestSettings
            let client = try S3Client(config: config, retryPolicy: request.retryPolicy, http: request.curlOptions)
            do { try client.headBucket() } catch { throw PreflightFailure(error: error, endpoint: config.endpoint.description) }
        } catch {
            Console.error("\(error)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
    }

    /// The command line, parsed; --help and --version print and end the step (no run follows).
    static func parse(_ given: [String]) throws -> RunOptions {
        // `--name=` gives an empty value, as `--name ''` does (ArgumentParser would take it for none).
        let end = given.firstIndex(of: "--") ?? given.endIndex
        let words = given[..<end].flatMap { word in
            word.hasPrefix("--") && word.hasSuffix("=") && word.filter({ $0 == "=" }).count == 1 ? [String(word.dropLast()), ""] : [word]
        } + given[end...]
        do {
            guard let command = try UploadImagesCommand.parseAsRoot(words) as? UploadImagesCommand else {
                print(UploadImagesCommand.helpMessage())  // `help`, or --help as ArgumentParser returns it
                throw ExitCode.success
            }
            return command.options(words: words)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            if UploadImagesCommand.exitCode(for: error) == .success {
                let message = UploadImagesCommand.fullMessage(for: error)
                print(message.isEmpty ? UploadImagesCommand.helpMessage() : message)
                throw ExitCode.success
            }
            throw usage(usageMessage(UploadImagesCommand.message(for: error)))
        }
    }

    /// ArgumentParser's words for a missing value, in the run's: `--workers needs a value`.
    static func usageMessage(_ message: String) -> String {
        let first = message.split(separator: "\n").first.map(String.init) ?? message
        if first.hasPrefix("Missing value for '"), let option = first.dropFirst("Missing value for '".count).split(separator: " ").first {
            return "\(option.hasSuffix("'") ? option.dropLast() : option) needs a value"
        }
        return first
    }

    static func usage(_ message: String) -> ExitCode {
        _ = FileWrite.all(Data("\(RunStep.name): \(message) (see --help)\n".utf8), fd: STDERR_FILENO)
        return ExitCode(64)
    }

    static func fatal(_ message: String) -> ExitCode {
        _ = FileWrite.all(Data("\(RunStep.name): \(message)\n".utf8), fd: STDERR_FILENO)
        return ExitCode(Toolkit.Exit.fatal)
    }
}
