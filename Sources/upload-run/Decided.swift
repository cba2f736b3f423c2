import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// After img-scan | spaces-exists (and the abort of incomplete uploads beside them): their statuses read, what
/// they found counted, the plan of a dry run printed, the prune guarded, the results file begun with the
/// finished records, and the batches cut.
struct Decided: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Count what the scan and the check decided, and cut the batches.")

    @OptionGroup var work: WorkOption

    @Argument(help: "The exit statuses of the source (img-scan, or records) and of spaces-exists.")
    var statuses: [Int32] = []

    func run() throws {
        var state = try work.state()
        let log = RunStep.log(state)
        let options = state.options
        let scanStatus = statuses.first ?? Toolkit.Exit.fatal
        let existsStatus = statuses.count > 1 ? statuses[1] : Toolkit.Exit.fatal
        // img-scan's messages, relayed as they are read; its first line, whether it said why it stopped, and its
        // note of what it left out are kept.
        var firstLine: String?, saidWhy = false
        RunStep.relay(file: state.work + "/scan.err", state) { line in
            if firstLine == nil && !line.isEmpty { firstLine = line }
            if line.hasPrefix("\(options.sourceCommand): error: ") { saidWhy = true }
            if line.hasPrefix("img-scan: ignored ") { state.ignored = String(line.dropFirst("img-scan: ".count)) }
        }
        RunStep.relay(file: state.work + "/exists.err", state)
        IncompleteUploadsStep.report(state)
        let removed = state.work + "/removed.jsonl"
        let refusal = options.prunes ? Self.refusal(in: removed) : nil
        if existsStatus != 0 && refusal == nil {
            throw RunStep.die(state, "\(StageEnding.describe("spaces-exists", status: existsStatus)); nothing was uploaded")
        }
        if let file = options.fromRecords {
            if scanStatus != 0 { throw RunStep.die(state, "\(file): not a file of JSON records") }
        } else if scanStatus >= Toolkit.Exit.fatal {
            // img-scan says why in an error line; anything else it printed (a usage error) is shown as it is.
            if saidWhy { throw ExitCode(Toolkit.Exit.fatal) }
            throw RunStep.die(state, "\(StageEnding.describe(options.sourceCommand, status: scanStatus)): \(firstLine ?? "")")
        }

        // What was decided: the finished records by status, the pending ones with their bytes.
        let finished = state.work + "/finished.jsonl", pending = state.work + "/pending.jsonl"
        let decoder = JSONDecoder()
        WorkFile.eachLineBytes(of: finished) { line in
            state.finished += 1
            // spaces-exists wrote every line as a JSON object: its top-level status is read without a JSONDecoder.
            switch JSONObjectFields.string(named: "status", in: line) {
            case "skipped": state.skipped += 1
            case "failed": state.earlyFailed += 1
            default: state.earlyOther += 1
            }
        }
        // The images an earlier run found broken, their files unchanged, fail again without a try (--retry-failed
        // tries them): their failed records join the finished ones.
        let earlier = state.earlierResults.map(EarlierFailures.init(results:)) ?? EarlierFailures()
        var kept = Data(), unchangedLines = Data()
        let keptPath = state.work + "/pending.kept.jsonl"
        WorkFile.eachLine(of: pending) { line in
            let identity = try? decoder.decode(EarlierFailures.Identity.self, from: line)
            if !earlier.broken.isEmpty, let identity, let error = earlier.unchangedFailure(of: identity), var record = try? RecordCoding.decode(line) {
                record.status = .failed
                record.error = error
                record.reason = EarlierFailures.unchanged
                unchangedLines.append(RecordCoding.encode(record) + Data([UInt8(ascii: "\n")]))
                state.unchanged += 1
                return
            }
            state.pending += 1
            state.pendingBytes += RunTally.originalBytes(of: line, using: decoder)
            if !earlier.broken.isEmpty {
                kept.append(line + Data([UInt8(ascii: "\n")]))
                if kept.count > 1 << 20 {
                    WorkFile.append(kept, to: keptPath, mode: 0o600)
                    kept = Data()
                }
            }
        }
        if state.unchanged > 0 {
            WorkFile.append(kept, to: keptPath, mode: 0o600)
            rename(keptPath, pending)
            _ = WorkFile.endLastLine(finished)  // spaces-exists may have left it open
            WorkFile.append(unchangedLines, to: finished, mode: 0o600)
            state.finished += state.unchanged
        } else {
            unlink(keptPath)
        }
        state.found = state.finished + state.pending
        if options.prunes {
            WorkFile.eachLine(of: removed) { line in
                let kind = (try? decoder.decode(RemovalRecord.self, from: line))?.kind
                if kind == .original { state.removals.originals += 1 } else { state.removals.thumbnails += 1 }
            }
        }
        state.decided = true
        let folder = options.prefixFolder
        if options.dryRun {
            try RunStep.save(state)
            try Self.writeLanes(0, state)
            unlink(state.work + "/delete.args")
            if let age = options.abortIncomplete {
                log.say("dry run: incomplete multipart uploads under \(folder)/ older than \(age) are not aborted")
            }
            // The plan is data on stdout, one JSON line each; the human text is on stderr.
            let unchanged = state.unchanged > 0 ? ", \(state.unchanged) failed earlier and unchanged (not tried again without --retry-failed)" : ""
            let (done, todo) = Self.words(options)
            log.say("dry run: \(state.found) found, \(state.skipped) \(done)\(unchanged), \(state.pending) \(todo) (their records on stdout)")
            if let ignored = state.ignored { log.say("  (\(ignored); not counted as found)") }
            Self.copy(pending, to: STDOUT_FILENO)
            if options.prunes {
                log.say("dry run: \(RunStep.removalsText(state)) would be deleted\(state.removals.total > 0 ? " (their deletion records on stdout)" : "")")
                Self.copy(removed, to: STDOUT_FILENO)
                if let refusal { log.say("dry run: a real run would refuse to prune: \(refusal)") }
            }
            return
        }
        if let refusal {
            log.console("\(RunStep.name): \(options.pruneOrphans ? "--prune-orphans" : "--delete-removed") would delete \(RunStep.removalsText(state)):")
            var shown = 0
            WorkFile.eachLine(of: removed) { line in
                guard let key = (try? decoder.decode(RemovalRecord.self, from: line))?.key else { return }
                if shown < 10 { log.console("  \(key)") }
                shown += 1
                log.line("would delete \(key)")
            }
            if shown > 10 { log.console("  ... and \(shown - 10) more (all of them: --dry-run)") }
            throw RunStep.die(state, "refusing to prune: \(refusal). Nothing was uploaded or deleted")
        }
        if !options.prunes || state.removals.total == 0 { unlink(state.work + "/delete.args") }

        // The results file begins with the finished records (spaces-exists wrote them one whole line each, and
        // the unchanged failures were added as such), as they are: the file renamed, or copied.
        if let failed = WorkFile.begin(state.results, withLinesOf: finished, mode: state.fileMode) {
            throw RunStep.die(state, "cannot write the results file \(state.results): \(String(cString: strerror(failed)))")
        }
        var written = stat()
        if stat(state.results, &written) == 0 { state.finishedEnd = Int64(written.st_size) }
        state.uploading = true
        let unchanged = state.unchanged > 0 ? ", \(state.unchanged) failed earlier and unchanged (--retry-failed tries them)" : ""
        let (done, todo) = Self.words(options)
        log.say("found \(state.found) images\(options.skipExisting ? ": \(state.skipped) \(done)\(unchanged), \(state.pending) \(todo)" : unchanged)")
        var lanes = 0
        if state.pending == 0 {
            log.say("nothing to upload")
        } else {
            let plan = BatchPlan(pending: state.pending, workers: state.workers, batchSize: options.batchLimit, hosts: options.usesHosts)
            for folder in ["batches", "thumbs", "died", "lanes", "progress"] { mkdir(state.work + "/" + folder, 0o700) }
            do { try plan.write(from: pending, into: state.work + "/batches") } catch {
                throw RunStep.die(state, "cannot write the batches: \(error)")
            }
            lanes = plan.lanes
            log.say("uploading \(state.pending) images with \(state.workers) worker(s), \(plan.batchSize) per batch")
        }
        // With no worker to wait for, the script goes on to the deletion (or the summary) at once.
        if lanes == 0 && WorkFile.exists(state.work + "/delete.args") { RunStep.sayDeleting(state) }
        try Self.writeLanes(lanes, state)
        try RunStep.save(state)
    }

    /// How many workers the script starts (0: none).
    static func writeLanes(_ lanes: Int, _ state: RunState) throws {
        do { try WorkFile.replace(state.work + "/lanes.count", with: Data("\(lanes)\n".utf8)) } catch {
            throw RunStep.die(state, "cannot write in the work folder: \(error)")
        }
    }

    /// Why spaces-exists refused the prune: every deletion record then says so (the first is read).
    /// How the decision names the images already done and those to do: uploaded, or (--from-bucket) thumbnailed.
    static func words(_ options: RunOptions) -> (done: String, todo: String) {
        switch (options.fromBucket, options.dryRun) {
        case (true, true): return ("have their thumbnails", "would get them")
        case (true, false): return ("have their thumbnails", "to make them for")
        case (false, true): return ("already uploaded", "would be uploaded")
        case (false, false): return ("already uploaded", "to upload")
        }
    }

    static func refusal(in path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return LineReader(fd: fd).next().flatMap { try? JSONDecoder().decode(RefusedField.self, from: $0) }?.refused
    }

    /// A file's lines on `fd` (stdout: the dry run's plan), in writes of many lines.
    static func copy(_ path: String, to fd: Int32) {
        var lines: [Data] = []
        WorkFile.eachLine(of: path) { line in
            lines.append(line)
            if lines.count >= 4096 {
                try? LineWriter.writeLines(lines, fd: fd)
                lines.removeAll(keepingCapacity: true)
            }
        }
        try? LineWriter.writeLines(lines, fd: fd)
    }

    struct RefusedField: Decodable { var refused: String? }
}
