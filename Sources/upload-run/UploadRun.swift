import ArgumentParser
import Common
import FoundationEssentials
import Glibc
import ToolkitCLI

/// The steps of `upload-images`, one subcommand each: the script runs the commands of the pipeline and calls
/// these between them, and every rule of the run (options, statuses, counts, batches, progress, summary, review
/// page, exit status) is decided here, by the library's run types (`RunOptions`, `RunState`, `BatchPlan`,
/// `StageEnding`, `Reconciler`, `RunTally`, `RunSummary`, `ProgressLine`, `RunLog`).
@main
struct UploadRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload-run",
        abstract: "The steps of upload-images, between the commands it runs (not for use on its own).",
        discussion: """
            upload-images calls: start (its command line, checked; the settings; the log; each command's words), \
            preflight (the credentials and the bucket, beside img-scan | spaces-exists), decided (after img-scan | spaces-exists, and spaces-put --abort-incomplete or --list-incomplete \
            beside them), progress (while the workers run), ended (after each worker's img-thumb | \
            spaces-put), uploaded (after the workers), deleted (after spaces-put --delete), finish (the summary, the \
            failures file and the review page; its exit status is the run's), stop and interrupted; with --watch, \
            watched (after the pipeline ended) before finish. log relays a \
            command's stderr to the log and the console; records reads --from-records' file. With --hosts: probed \
            (after each host was tried), dispatch (the batches' header and parallel's words), collect (the hosts' \
            answers) and joblog (after the upload).
            """,
        version: Toolkit.versionLine(of: "upload-run"),
        subcommands: [Start.self, Preflight.self, Decided.self, Progress.self, Ended.self, Uploaded.self, Deleted.self,
                      Watched.self, Finish.self, Interrupted.self, Log.self, Records.self, Stop.self, Probed.self, Dispatch.self, Collect.self, Joblog.self]
    )
}
