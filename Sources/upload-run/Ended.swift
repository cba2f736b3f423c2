import ArgumentParser
import Common
import FoundationEssentials
import Glibc

/// After one img-thumb | spaces-put of a worker (`StageEnding`): a fatal error or a server that stopped answering
/// stops the run (the stop file, and the batches not taken yet moved to `unstarted/`, so every worker ends after
/// its batch in hand); a stage that died leaves its reason in `died/LANE`, for the records it took and never
/// answered. Exit 0: the worker starts a new pair for the batches left; 1: the worker is done.
struct Ended: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Read how a worker's img-thumb | spaces-put ended; exit 0 to go on.")

    @OptionGroup var work: WorkOption

    @Option(help: ArgumentHelp("The worker and its round: the folder under lanes/ that holds the batches it took.", valueName: "lane"))
    var lane: String

    @Argument(help: "The exit statuses of img-thumb and spaces-put (of spaces-get, img-thumb and spaces-put: three).")
    var statuses: [Int32] = []

    func run() throws {
        let folder = work.work
        let (get, pair) = statuses.count == 3 ? (statuses[0], Array(statuses.dropFirst())) : (nil, statuses)
        let ending = StageEnding(get: get, thumb: pair.first ?? 0, put: pair.count > 1 ? pair[1] : 0)
        // The round is over: a download of it still there was never used (img-thumb died before it).
        for file in Downloader.leftBehind(by: lane, in: folder + "/downloads") { unlink(file) }
        switch ending.outcome {
        case .answered:
            throw ExitCode(1)
        case .fatal, .unavailable:
            let mark = ending.outcome == .fatal ? "fatal" : "unavailable"
            try? WorkFile.replace("\(folder)/\(mark)", with: Data())
            Self.stop(folder)
            throw ExitCode(1)
        case .died(let reason):
            try? WorkFile.replace("\(folder)/died/\(lane)", with: Data("\(reason)\n".utf8))
            let took = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/lanes/\(lane)")) ?? []
            // A pair that took no batch would die again on the next: the worker ends.
            if took.isEmpty || WorkFile.exists("\(folder)/stop") || Reconciler.names(in: "\(folder)/batches").isEmpty { throw ExitCode(1) }
        }
    }

    /// No batch starts any more: the stop file, and the queue renamed away (each img-thumb ends after its batch).
    static func stop(_ folder: String) {
        try? WorkFile.replace("\(folder)/stop", with: Data())
        rename("\(folder)/batches", "\(folder)/unstarted")
    }
}
