import ArgumentParser
import Common
import Foundation

@main
struct SpacesExists: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spaces-exists",
        abstract: "Mark the records whose images are already complete in the bucket as skipped.",
        discussion: """
            An image is complete when its original is in the bucket with the local file's size (with --checksum: \
            also its MD5 as ETag) and its thumbnail is there too. Complete records get status "skipped"; every \
            other record passes on unchanged, one line out per line in, in order. Strategies: head (two HEAD \
            requests per image), list (ListObjectsV2 over the keys' common folder, 1 request per 1,000 objects), \
            auto (list above \(ExistenceChecker.autoThreshold) pending images, head otherwise). Exit status: 0, \
            1 when input lines were not records, 2 fatal (configuration, credentials, missing bucket).
            """,
        version: Toolkit.version
    )

    @Option(help: ArgumentHelp("Read configuration from this file instead of ./.env.", valueName: "path"))
    var envFile: String?

    @Option(help: ArgumentHelp("auto, head or list.", valueName: "strategy"))
    var strategy = "auto"

    @Flag(help: "Also compare the local file's MD5 with the object's ETag, to catch edits that kept the size.")
    var checksum = false

    @Option(help: "Retries after a failed request (connection errors, timeouts, 5xx, 429, SlowDown).")
    var retries = 3

    @Option(help: ArgumentHelp("Seconds to wait for a connection.", valueName: "seconds"))
    var connectTimeout = 10.0

    @Option(help: ArgumentHelp("Abandon a request that moves no data for this many seconds.", valueName: "seconds"))
    var stallTimeout = 30

    @Option(name: .customLong("pending"), help: ArgumentHelp("""
        Write the records still to upload to this file instead of stdout, which then carries only finished \
        records (skipped, failed, or finished already), each set in input order.
        """, valueName: "path"))
    var pendingFile: String?

    @Flag(help: "Log every request on stderr. Never logs secrets.")
    var debug = false

    func validate() throws {
        guard ExistenceChecker.Strategy(rawValue: strategy) != nil else { throw ValidationError("--strategy must be auto, head or list") }
        let settings = RequestSettings(retries: retries, connectTimeout: connectTimeout, stallTimeout: stallTimeout)
        if let problem = settings.problem { throw ValidationError(problem) }
    }

    func run() throws {
        Console.commandName = "spaces-exists"
        Console.debugEnabled = debug
        Console.ignoreSIGPIPE()
        let checker: ExistenceChecker
        do {
            let config = try ConfigLoader.load(envFile: envFile, warn: Console.warning)
            let settings = RequestSettings(retries: retries, connectTimeout: connectTimeout, stallTimeout: stallTimeout)
            let client = try S3Client(config: config, retryPolicy: settings.retryPolicy, http: settings.curlOptions)
            if debug { client.debugLog = { Console.debug($0) } }
            checker = ExistenceChecker(client: client, strategy: ExistenceChecker.Strategy(rawValue: strategy)!, checksum: checksum)
        } catch {
            Console.error("\(error)")
            throw ExitCode(Toolkit.Exit.fatal)
        }
        // Every line is read first: LIST needs the whole set of keys, and the output keeps the input's order.
        var outputs: [Data?] = []
        var pending: [(slot: Int, record: ImageRecord)] = []
        var malformed = 0
        let reader = LineReader()
        while let line = reader.next() {
            switch RecordLine.classify(line, lineNumber: reader.lineNumber) {
            case .blank:
                continue
            case .malformed(let message, let output):
                malformed += 1
                Console.error(message)
                outputs.append(output)
            case .finished(let line):
                outputs.append(line)
            case .pending(let record):
                if pending.isEmpty {
                    // Start listing the first record's folder now: the listing overlaps the rest of the scan.
                    checker.startListing(prefix: ExistenceChecker.listPrefix([record]))
                }
                pending.append((outputs.count, record))
                outputs.append(nil)
            }
        }
        let decided: [ImageRecord]
        do {
            decided = try checker.check(pending.map(\.record), warn: Console.warning)
        } catch {
            Console.error(error.description)
            throw ExitCode(Toolkit.Exit.fatal)
        }
        var stillPending: [Data] = []
        for (item, record) in zip(pending, decided) {
            if record.status == nil && pendingFile != nil {
                stillPending.append(RecordCoding.encode(record))
            } else {
                outputs[item.slot] = RecordCoding.encode(record)
            }
        }
        if let pendingFile {
            let fd = open(pendingFile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                Console.error("\(pendingFile): \(String(cString: strerror(errno)).lowercased())")
                throw ExitCode(Toolkit.Exit.fatal)
            }
            LineWriter.writeLines(stillPending, fd: fd)
            close(fd)
        }
        LineWriter.writeLines(outputs.lazy.compactMap { $0 })
        let skipped = decided.filter { $0.status == .skipped }.count
        Console.debug("\(checker.usedStrategy.rawValue): \(skipped) of \(pending.count) images already uploaded, \(checker.client.requestCount + checker.extraRequests) requests")
        if malformed > 0 { throw ExitCode(Toolkit.Exit.someFailed) }
    }
}
