import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// The end of a run: the summary (`RunSummary`, from the results file), the failures file, the review page, and
/// the run's exit status: 0 every image uploaded or skipped, 1 some failed.
struct Finish: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Summarize the run, write its failures file and review page; exit with its status.")

    @OptionGroup var work: WorkOption

    func run() throws {
        let state = try work.state()
        guard !state.dryRun, state.uploading else { return }
        // One reading of the results for the summary and the review page.
        var page = Self.hasReview(state) ? ReviewPage() : nil
        let status = page == nil ? try Self.summarize(state, kind: .complete)
            : try Self.summarize(state, kind: .complete) { line in page?.add(line: line) }
        Self.writeReview(state, page)
        if status != 0 { throw ExitCode(status) }
    }

    /// Counts the results (a run whose finished records had no failure counts only the new lines), writes the
    /// failures file, and says the summary; returns the run's exit status. `each` sees every line; without it,
    /// the finished records that need no counting are not read (a resume of a million images: 580 MB).
    @discardableResult
    static func summarize(_ state: RunState, kind: RunSummary.Kind, stoppedEarly: Bool = false, each: ((Data) -> Void)? = nil) throws -> Int32 {
        let log = RunStep.log(state)
        let rereadFinished = state.earlyFailed > 0 || state.earlyOther > 0 || state.unchanged > 0
        var tally = RunTally()
        // The failed records go to the failures file as they are read (a MiB at a time).
        unlink(state.failures)
        var failures: [Data] = [], failuresBytes = 0, wroteFailures = false
        let flush = {
            if !failures.isEmpty, WorkFile.appendLines(failures, to: state.failures, mode: state.fileMode) == nil { wroteFailures = true }
            failures.removeAll(keepingCapacity: true)
            failuresBytes = 0
        }
        var number = 0
        let decoder = JSONDecoder()
        let fd = open(state.results, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            if each == nil && !rereadFinished && state.finishedEnd > 0 && lseek(fd, off_t(state.finishedEnd), SEEK_SET) >= 0 {
                number = state.finished
            }
            let reader = LineReader(fd: fd)
            while let line = reader.next() {
                number += 1
                if line.isEmpty { continue }
                each?(line)
                if !rereadFinished && number <= state.finished { continue }
                if tally.add(line, using: decoder) {
                    failures.append(line)
                    failuresBytes += line.count
                    if failuresBytes >= 1 << 20 { flush() }
                }
            }
            close(fd)
        }
        var summary = RunSummary(kind: kind, found: state.found, ignored: state.ignored, tally: tally,
                                 skippedEarlier: rereadFinished ? 0 : state.skipped, pruning: state.options.prunes,
                                 elapsed: state.elapsed)
        if state.options.watch { summary.countWatch(sent: state.found) }
        summary.stoppedEarly = stoppedEarly
        log.console(summary.text.dropLast().description)
        log.raw(summary.text)
        if let problem = summary.countsProblem { log.say("\(RunStep.name): \(problem); see \(state.results)") }
        flush()
        if wroteFailures {
            log.say("failures are in \(state.failures) (retry them with: \(RunStep.name) --from-records \(state.failures))")
        }
        log.say("results: \(state.results); log: \(state.log)")
        return summary.exitStatus
    }

    /// Every image without a result line gets one, failed with `reason` (see `Reconciler`).
    static func reconcile(_ state: RunState, reason: String, forced: String? = nil) throws {
        guard WorkFile.exists(state.work + "/died") else { return }
        var lines = LineFollower(path: state.results, offset: 0)
        lines.update()
        var failed = false
        Reconciler(work: state.work, results: state.results)
            .reconcile(fallback: reason, forced: forced, expected: state.pending, answered: lines.lines - state.finished,
                       hosts: state.options.usesHosts) { missing in
                failed = WorkFile.appendLines(missing, to: state.results, mode: state.fileMode) != nil
                return !failed
            }
        if failed { try resultsFailed(state) }
        try checkResults(state)
    }

    /// A results file that could not be written whole (a full disk) ends the run: a line cut short is removed,
    /// so every line left is whole; the summary of what was recorded; one line; exit 2.
    static func checkResults(_ state: RunState) throws {
        var info = stat()
        guard stat(state.results, &info) == 0, info.st_size > 0 else { return }
        let fd = open(state.results, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        var last: UInt8 = 0
        let read = pread(fd, &last, 1, info.st_size - 1)
        close(fd)
        if read == 1 && last != UInt8(ascii: "\n") { try resultsFailed(state) }
    }

    static func resultsFailed(_ state: RunState) throws -> Never {
        truncate(state.results, off_t(lastWholeLineEnd(of: state.results)))
        _ = try? summarize(state, kind: .unrecorded)
        var disk = statvfs()
        let why = statvfs(state.results, &disk) == 0 && disk.f_bavail == 0 ? "no space left on the disk that holds it" : "the write failed"
        let log = RunStep.log(state)
        log.console("\(RunStep.name): cannot write the results file \(state.results): \(why); the summary above counts what was recorded")
        log.line("fatal: cannot write the results file: \(why)")
        throw ExitCode(Toolkit.Exit.fatal)
    }

    /// Where the file's last whole line ends (after its newline): read backwards a block at a time from its end.
    static func lastWholeLineEnd(of path: String) -> Int64 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return 0 }
        var end = Int64(info.st_size)
        var block = [UInt8](repeating: 0, count: 65536)
        while end > 0 {
            let start = max(0, end - Int64(block.count))
            let got = pread(fd, &block, Int(end - start), off_t(start))
            guard got > 0 else { return 0 }
            if let newline = block[..<got].lastIndex(of: UInt8(ascii: "\n")) { return start + Int64(newline) + 1 }
            end = start
        }
        return 0
    }

    /// Whether the run has a review page. A run that found every image already uploaded has nothing new to
    /// review: its page would repeat the last one's (and cost a resume of 10,000 images as much as deciding them).
    static func hasReview(_ state: RunState) -> Bool {
        state.pending > 0 || state.earlyFailed > 0 || state.earlyOther > 0 || state.unchanged > 0
    }

    /// The review page, made from every line of the results: each image's thumbnails, linked to its original,
    /// and the failures.
    static func writeReview(_ state: RunState, _ page: ReviewPage?) {
        let log = RunStep.log(state)
        guard let page else {
            log.say("review page: none, nothing was uploaded or failed (the page of the run that uploaded them shows them)")
            return
        }
        let mode: mode_t = page.hasPresignedURLs ? 0o600 : state.fileMode & 0o644
        do {
            try WorkFile.replace(state.review, with: Data(page.html().utf8), mode: mode)
            log.say("review page: \(state.review)")
        } catch {
            log.say("\(RunStep.name): warning: cannot write the review page: \(error)")
        }
    }
}
