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
        let status = try Self.summarize(state, kind: .complete)
        Self.writeReview(state)
        if status != 0 { throw ExitCode(status) }
    }

    /// Counts the results (a run whose finished records had no failure reads only the new lines), writes the
    /// failures file, and says the summary; returns the run's exit status.
    @discardableResult
    static func summarize(_ state: RunState, kind: RunSummary.Kind) throws -> Int32 {
        let log = RunStep.log(state)
        let rereadFinished = state.earlyFailed > 0 || state.earlyOther > 0 || state.unchanged > 0
        var tally = RunTally()
        var failures = Data()
        var number = 0
        let fd = open(state.results, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            let reader = LineReader(fd: fd)
            while let line = reader.next() {
                number += 1
                if line.isEmpty || (!rereadFinished && number <= state.finished) { continue }
                if tally.add(line) {
                    failures.append(line)
                    failures.append(UInt8(ascii: "\n"))
                }
            }
            close(fd)
        }
        let summary = RunSummary(kind: kind, found: state.found, ignored: state.ignored, tally: tally,
                                 skippedEarlier: rereadFinished ? 0 : state.skipped, pruning: state.options.deleteRemoved,
                                 elapsed: state.elapsed)
        log.console(summary.text.dropLast().description)
        log.raw(summary.text)
        if let problem = summary.countsProblem { log.say("\(RunStep.name): \(problem); see \(state.results)") }
        unlink(state.failures)
        if !failures.isEmpty, WorkFile.append(failures, to: state.failures, mode: state.fileMode) == nil {
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
        let missing = Reconciler(work: state.work, results: state.results)
            .missing(fallback: reason, forced: forced, expected: state.pending, answered: lines.lines - state.finished)
        guard !missing.isEmpty else { return }
        var data = Data()
        for line in missing {
            data.append(line)
            data.append(UInt8(ascii: "\n"))
        }
        if WorkFile.append(data, to: state.results, mode: state.fileMode) != nil { try resultsFailed(state) }
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
        // Cut back to the last whole line.
        if let data = WorkFile.read(state.results), let end = data.lastIndex(of: UInt8(ascii: "\n")) {
            truncate(state.results, off_t(end + 1))
        } else {
            truncate(state.results, 0)
        }
        _ = try? summarize(state, kind: .unrecorded)
        var disk = statvfs()
        let why = statvfs(state.results, &disk) == 0 && disk.f_bavail == 0 ? "no space left on the disk that holds it" : "the write failed"
        let log = RunStep.log(state)
        log.console("\(RunStep.name): cannot write the results file \(state.results): \(why); the summary above counts what was recorded")
        log.line("fatal: cannot write the results file: \(why)")
        throw ExitCode(Toolkit.Exit.fatal)
    }

    /// The review page: every image's thumbnails, linked to its original, and the failures; from the results
    /// alone. A run that found every image already uploaded has nothing new to review: its page would repeat the
    /// last one's (and cost a resume of 10,000 images as much as deciding them).
    static func writeReview(_ state: RunState) {
        let log = RunStep.log(state)
        if state.pending == 0 && state.earlyFailed == 0 && state.earlyOther == 0 && state.unchanged == 0 {
            log.say("review page: none, nothing was uploaded or failed (the page of the run that uploaded them shows them)")
            return
        }
        var page = ReviewPage()
        let fd = open(state.results, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        let reader = LineReader(fd: fd)
        while let line = reader.next() { page.add(line: line) }
        close(fd)
        let mode: mode_t = page.hasPresignedURLs ? 0o600 : state.fileMode & 0o644
        do {
            try WorkFile.replace(state.review, with: Data(page.html().utf8), mode: mode)
            log.say("review page: \(state.review)")
        } catch {
            log.say("\(RunStep.name): warning: cannot write the review page: \(error)")
        }
    }
}
