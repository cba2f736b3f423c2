import ArgumentParser
import Common
import Glibc

/// The pre-flight request, beside the scan: the script starts img-scan | spaces-exists first and waits for this
/// before it waits for them, so that the HeadBucket's round trips overlap the scan instead of coming before it.
/// A failure is one line and exit 2, and the run leaves no log (nothing happened that a log would be needed
/// for); the script then stops the scan. Nothing is uploaded before this passed.
struct Preflight: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check the credentials and the bucket (one HeadBucket), beside the scan.")

    @OptionGroup var work: WorkOption

    func run() throws {
        let state = try work.state()
        do { try Start.headBucket(state.options) } catch {
            unlink(state.log)
            throw error
        }
        RunStep.log(state).say(Start.doing(state.options))
    }
}
