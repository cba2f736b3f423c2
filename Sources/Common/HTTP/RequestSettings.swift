/// The retries and timeouts that every request of a run follows, the pre-flight check and the existence
/// check included (`--retries`, `--connect-timeout`, `--stall-timeout`), with the bounds that spaces-put,
/// spaces-exists and upload-images all enforce before any work.
public struct RequestSettings: Sendable, Equatable {
    public var retries = 3
    public var connectTimeout = 10.0
    public var stallTimeout = 30

    public static let retriesRange = 0...100
    public static let connectTimeoutMaximum = 3600.0
    public static let stallTimeoutRange = 1...86400

    public init(retries: Int = 3, connectTimeout: Double = 10, stallTimeout: Int = 30) {
        self.retries = retries
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
    }

    /// The first setting out of bounds, as one line naming the option and its rule; nil when all are fine.
    public var problem: String? {
        if !Self.retriesRange.contains(retries) {
            return "--retries must be a whole number from \(Self.retriesRange.lowerBound) to \(Self.retriesRange.upperBound)"
        }
        if !(connectTimeout > 0 && connectTimeout <= Self.connectTimeoutMaximum) {
            return "--connect-timeout must be a number of seconds above 0, at most \(Int(Self.connectTimeoutMaximum))"
        }
        if !Self.stallTimeoutRange.contains(stallTimeout) {
            return "--stall-timeout must be a whole number of seconds from \(Self.stallTimeoutRange.lowerBound) to \(Self.stallTimeoutRange.upperBound)"
        }
        return nil
    }

    /// The settings from the words of a command line (nil: the default), or the first one out of bounds as one
    /// line naming the option and its rule: a word that is no number at all (`abc`, a number of 20 digits) is
    /// out of bounds too, with the same line.
    public static func parsing(retries: String?, connectTimeout: String?, stallTimeout: String?) -> Result<RequestSettings, Problem> {
        var settings = RequestSettings()
        if let retries {
            guard let value = Int(retries) else { return .failure(Problem(description: RequestSettings(retries: -1).problem!)) }
            settings.retries = value
        }
        if let connectTimeout {
            guard let value = Double(connectTimeout), value.isFinite else {
                return .failure(Problem(description: RequestSettings(connectTimeout: 0).problem!))
            }
            settings.connectTimeout = value
        }
        if let stallTimeout {
            guard let value = Int(stallTimeout) else { return .failure(Problem(description: RequestSettings(stallTimeout: 0).problem!)) }
            settings.stallTimeout = value
        }
        if let problem = settings.problem { return .failure(Problem(description: problem)) }
        return .success(settings)
    }

    /// A setting out of bounds, as one line naming the option and its rule.
    public struct Problem: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    public var retryPolicy: RetryPolicy { RetryPolicy(maxRetries: retries) }

    public var curlOptions: CurlHandle.Options {
        var options = CurlHandle.Options()
        options.connectTimeout = connectTimeout
        options.stallTimeout = Double(stallTimeout)
        return options
    }
}
