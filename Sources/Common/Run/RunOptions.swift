import FoundationEssentials

/// What `upload-images` was asked to do: its command line, as given, checked once by `problem` before any work
/// (each value by the same rule the command that takes it applies), and turned into each stage's words
/// (`RunStages`). Values stay the words the user typed so that every command sees exactly them.
public struct RunOptions: Codable, Sendable, Equatable {
    public var folder: String?
    public var fromRecords: String?
    /// --from-bucket: the originals already under PREFIX/original/ are the images (spaces-ls), downloaded by each
    /// worker (spaces-get, at most `maxDisk` bytes on disk in all), and only their thumbnails are uploaded.
    public var fromBucket = false
    public var maxDisk: String?
    /// --prune-orphans: with --from-bucket, delete the thumbnails whose original is gone.
    public var pruneOrphans = false
    public var workers = "1"
    public var batchSize = "100"
    public var prefix = KeyMapper.defaultPrefix
    public var skipExisting = true
    public var dryRun = false
    /// Try again the images an earlier run found broken, even when their file is unchanged (`EarlierFailures`).
    public var retryFailed = false
    public var debug = false
    public var envFile: String?
    /// `--include`/`--exclude` in the order given (the last rule that matches decides).
    public var rules: [PathFilter.Rule] = []
    public var includeHidden = false
    public var extensions: String?
    public var thumbnails: String?
    public var thumbnailNames: String?
    public var crop: String?
    public var retries: String?
    public var connectTimeout: String?
    public var stallTimeout: String?
    public var deleteRemoved = false
    /// --watch: keep running, uploading each image that arrives (`img-scan --watch`), until INT or TERM.
    public var watch = false
    public var maxDelete: String?
    public var limitRate: String?
    public var meta: [String] = []
    public var contentDisposition: String?
    public var multipartThreshold: String?
    public var partSize: String?
    public var partConcurrency: String?
    public var abortIncomplete: String?
    public var presign: String?
    /// `--hosts FILE` and `--sshlogin LOGINS`: the batches run there (`HostList`).
    public var hostFiles: [String] = []
    public var sshLogins: [String] = []

    public init() {}

    public static let workersRange = 1...1000
    public static let batchSizeRange = 1...1_000_000
    public static let crops = ["centre", "center", "attention", "entropy"]

    /// The prefix as messages name its folder: `avatar` (without a trailing slash).
    public var prefixFolder: String { prefix.hasSuffix("/") ? String(prefix.dropLast()) : prefix }

    public var usesHosts: Bool { !hostFiles.isEmpty || !sshLogins.isEmpty }
    public var workerCount: Int { Int(workers) ?? 1 }
    /// The command that finds the images (with --from-records, upload-run's own step): for its messages.
    public var sourceCommand: String { fromBucket ? "spaces-ls" : "img-scan" }
    /// Whether objects are deleted: --delete-removed, or --prune-orphans.
    public var prunes: Bool { deleteRemoved || pruneOrphans }
    public var batchLimit: Int { Int(batchSize) ?? 100 }

    /// The first rule the command line breaks, as one line naming the option; nil when it can run.
    public var problem: String? {
        if folder == nil && fromRecords == nil && !fromBucket { return "which folder? upload-images DIR (or --from-bucket)" }
        if let problem = fromBucketProblem { return problem }
        if let crop, !Self.crops.contains(crop) { return "--crop must be centre, attention or entropy (got '\(crop)')" }
        if Self.wholeNumber(workers, in: Self.workersRange) == nil { return "--workers must be a whole number from 1 to 1000" }
        if Self.wholeNumber(batchSize, in: Self.batchSizeRange) == nil { return "--batch-size must be a whole number from 1 to 1000000" }
        if let maxDelete {
            if !prunes { return "--max-delete applies only with --delete-removed or --prune-orphans" }
            if Self.wholeNumber(maxDelete, in: PruneGuard.maxDeleteRange) == nil { return "--max-delete must be a whole number from 0 to 9999999" }
        }
        if deleteRemoved && fromRecords != nil { return "--delete-removed needs a scan of DIR, not --from-records" }
        if watch, let other = [(fromRecords != nil, "--from-records"), (dryRun, "--dry-run"), (deleteRemoved, "--delete-removed"),
                               (usesHosts, "--hosts/--sshlogin"), (abortIncomplete != nil, "--abort-incomplete")].first(where: \.0)?.1 {
            return "--watch cannot be combined with \(other)"
        }
        if let problem = KeyMapper.problem(withPrefix: prefix) { return problem }
        if prefix.unicodeScalars.allSatisfy({ $0 == "/" }) && (prunes || abortIncomplete != nil) {
            return "--delete-removed, --prune-orphans and --abort-incomplete refuse an empty --prefix: they would reach every key of the bucket"
        }
        for rule in rules {
            if rule.pattern.isEmpty { return "--\(rule.kind.rawValue) needs a pattern (got an empty one)" }
            if let problem = PathFilter.problem(with: rule.pattern, option: "--\(rule.kind.rawValue)") { return problem }
        }
        if let extensions, case .failure(let problem) = ScanRules.extensions(from: extensions) { return problem.description }
        if let thumbnails, case .failure(let problem) = ThumbnailSpec.parseList(thumbnails) { return "--thumbnails: \(problem)" }
        if let thumbnailNames, KeyMapper.ThumbnailNames(rawValue: thumbnailNames) == nil {
            return "--thumbnail-names must be stem or full (got '\(thumbnailNames)')"
        }
        if case .failure(let problem) = RequestSettings.parsing(retries: retries, connectTimeout: connectTimeout, stallTimeout: stallTimeout) {
            return problem.description
        }
        if let limitRate, RateLimit(parsing: limitRate) == nil { return RateLimit.rule }
        do { _ = try ObjectMetadata(meta: meta, contentDisposition: contentDisposition) } catch { return error.description }
        if let partConcurrency, Int(partConcurrency) == nil {
            return "--part-concurrency must be a whole number from 1 to 10 (Spaces allows 10 PUTs in flight to one object)"
        }
        do { _ = try MultipartSettings(threshold: multipartThreshold, partSize: partSize, concurrency: partConcurrency.flatMap { Int($0) }) } catch {
            return error.description
        }
        if let abortIncomplete, IncompleteUploads.parseAge(abortIncomplete) == nil { return IncompleteUploads.ageRule }
        if let presign, Presign(parsing: presign) == nil { return Presign.rule }
        if usesHosts && limitRate != nil {
            return "--limit-rate cannot be combined with --hosts or --sshlogin (the cap is shared on one machine only)"
        }
        return nil
    }

    /// What --from-bucket (and the options that go only with it) cannot be combined with.
    var fromBucketProblem: String? {
        guard fromBucket else {
            if pruneOrphans { return "--prune-orphans goes with --from-bucket (with a folder, --delete-removed prunes)" }
            if maxDisk != nil { return "--max-disk goes with --from-bucket" }
            return nil
        }
        if let folder { return "--from-bucket takes no folder (got '\(folder)'): its images are the originals under PREFIX/original/" }
        let others = [(fromRecords != nil, "--from-records"), (watch, "--watch"), (deleteRemoved, "--delete-removed (--prune-orphans deletes the thumbnails whose original is gone)"),
                      (usesHosts, "--hosts/--sshlogin"), (!rules.isEmpty, "--include/--exclude"), (abortIncomplete != nil, "--abort-incomplete"),
                      (contentDisposition != nil || multipartThreshold != nil || partSize != nil || partConcurrency != nil,
                       "the options of originals (--content-disposition, --multipart-threshold, --part-size, --part-concurrency): no original is written")]
        if let other = others.first(where: \.0)?.1 { return "--from-bucket cannot be combined with \(other)" }
        if let maxDisk, let problem = DiskBudget.capProblem(maxDisk) { return problem }
        return nil
    }


    /// A whole number in `range`, written in decimal digits only (no sign, no spaces).
    static func wholeNumber(_ text: String, in range: ClosedRange<Int>) -> Int? {
        guard !text.isEmpty, text.count <= 9, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int(text), range.contains(value) else { return nil }
        return value
    }

    /// The request settings every command that talks to the server takes (checked by `problem`).
    public var requestSettings: RequestSettings {
        (try? RequestSettings.parsing(retries: retries, connectTimeout: connectTimeout, stallTimeout: stallTimeout).get()) ?? RequestSettings()
    }
}
