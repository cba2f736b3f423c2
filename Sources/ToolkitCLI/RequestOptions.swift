import ArgumentParser
import Common

/// `--retries`, `--connect-timeout` and `--stall-timeout`: one option group for every command that sends
/// requests, read as words and checked by `RequestSettings.parsing`, so that every bad value (a number out
/// of bounds, or no number at all) gets the same one line.
public struct RequestOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Retries after a failed request (connection errors, timeouts, 5xx, 429, SlowDown); 0-100 (default: 3).", valueName: "retries"))
    var retries: String?

    @Option(help: ArgumentHelp("Seconds to wait for a connection, above 0, at most 3600 (default: 10).", valueName: "seconds"))
    var connectTimeout: String?

    @Option(help: ArgumentHelp("Abandon a request that moves no data for this many seconds, 1-86400 (default: 30).", valueName: "seconds"))
    var stallTimeout: String?

    public init() {}

    public mutating func validate() throws {
        if case .failure(let problem) = parsed { throw ValidationError(problem.description) }
    }

    private var parsed: Result<RequestSettings, RequestSettings.Problem> {
        RequestSettings.parsing(retries: retries, connectTimeout: connectTimeout, stallTimeout: stallTimeout)
    }

    /// The settings (checked by `validate()` before any work).
    public var settings: RequestSettings { (try? parsed.get()) ?? RequestSettings() }
}

/// img-scan's, spaces-ls's and img-thumb's `--thumbnail-names`.
extension KeyMapper.ThumbnailNames: ExpressibleByArgument {}
