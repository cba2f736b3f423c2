/// The words of each command `upload-images` runs, made once from its options: the shell script reads them from
/// files (one NUL-terminated word each) and never builds a command line itself.
public struct RunStages: Sendable {
    public let options: RunOptions
    /// The work folder of the run and the folder of the commands.
    public let work: String
    public let bin: String

    public init(options: RunOptions, work: String, bin: String) {
        self.options = options
        self.work = work
        self.bin = bin
    }

    private var envWords: [String] { options.envFile.map { ["--env-file", $0] } ?? [] }
    private var debugWords: [String] { options.debug ? ["--debug"] : [] }
    private var presignWords: [String] { options.presign.map { ["--presign", $0] } ?? [] }

    private var requestWords: [String] {
        var words: [String] = []
        if let retries = options.retries { words += ["--retries", retries] }
        if let seconds = options.connectTimeout { words += ["--connect-timeout", seconds] }
        if let seconds = options.stallTimeout { words += ["--stall-timeout", seconds] }
        return words
    }

    /// The rules of the scan as `--name=value` words (a value may begin with a dash), in the order given.
    private var ruleWords: [String] {
        var words = options.rules.flatMap { Self.pair("--\($0.kind.rawValue)", $0.pattern) }
        if options.includeHidden { words.append("--include-hidden") }
        if let extensions = options.extensions { words += (Self.pair("--extensions", extensions)) }
        return words
    }

    /// What spaces-put --delete and --abort-incomplete need of the rules: which keys a scan can make.
    private var keyRuleWords: [String] {
        (options.includeHidden ? ["--include-hidden"] : []) + (options.extensions.map { Self.pair("--extensions", $0) } ?? [])
    }

    /// An option and its value: two words, or one `--name=value` when the value begins with a dash (which would
    /// otherwise be read as an option); an empty value stays a word of its own.
    static func pair(_ name: String, _ value: String) -> [String] {
        value.hasPrefix("-") ? ["\(name)=\(value)"] : [name, value]
    }

    private var prefixWords: [String] { Self.pair("--prefix", options.prefix) }

    /// The whole command that writes the records to decide: img-scan of the folder, or the records of a file.
    public var source: [String] {
        if let file = options.fromRecords { return ["\(bin)/upload-run", "records", "--", file] }
        if options.fromBucket {
            var words = ["\(bin)/spaces-ls", "--records-only", "--originals"] + keyRuleWords
            if let thumbnails = options.thumbnails { words += (Self.pair("--thumbnails", thumbnails)) }
            if let names = options.thumbnailNames { words += (Self.pair("--thumbnail-names", names)) }
            return words + envWords + requestWords + debugWords + ["--", options.prefix]
        }
        var words = ["\(bin)/img-scan", "--records-only"] + prefixWords + ruleWords
        if let thumbnails = options.thumbnails { words += (Self.pair("--thumbnails", thumbnails)) }
        if let names = options.thumbnailNames { words += (Self.pair("--thumbnail-names", names)) }
        if options.watch { words += ["--watch", "--count-file", "\(work)/scan.count"] }
        return words + debugWords + ["--", options.folder ?? "."]
    }

    /// spaces-exists: the records still to upload to `pending.jsonl`, the finished ones on stdout; with
    /// --delete-removed also what is gone to `removed.jsonl`; with --watch every record on stdout, as it is decided.
    public var exists: [String] {
        var words = ["--records-only"] + envWords + requestWords + presignWords + debugWords
        // --watch: every record goes on down the pipeline as soon as it is decided.
        words += options.watch ? ["--stream"] : ["--pending", "\(work)/pending.jsonl"]
        if !options.skipExisting { words.append("--no-skip") }
        if options.prunes {
            words += ["--removed", "\(work)/removed.jsonl"] + prefixWords + ruleWords
            // The originals are the bucket's own: none is removed, only thumbnails none of them owns.
            if options.pruneOrphans { words.append("--orphans") }
            if let maxDelete = options.maxDelete { words += (Self.pair("--max-delete", String(Int(maxDelete) ?? 0))) }
        } else if let extensions = options.extensions {
            words += (Self.pair("--extensions", extensions))
        }
        return words
    }

    /// img-thumb's own options (a host's worker adds where its records and thumbnails are).
    public var hostThumb: [String] {
        (options.crop.map { ["--crop", $0 == "center" ? "centre" : $0] } ?? []) + debugWords
    }

    /// img-thumb, taking batches from the queue (each worker adds where its batches go: --claim-into); with
    /// --watch, its records from spaces-exists; with --from-bucket, from spaces-get.
    public var thumb: [String] {
        ["--records-only", "--out", "\(work)/thumbs"] + (options.watch || downloads ? [] : ["--batches", "\(work)/batches"]) + hostThumb
    }

    /// Whether the workers run spaces-get first: --from-bucket, and --from-records, whose records may be images
    /// in the bucket (a failures file of a --from-bucket run); spaces-get passes any other record on.
    public var downloads: Bool { options.fromBucket || options.fromRecords != nil }

    /// spaces-get, taking batches from the queue (each worker adds --claim-into), every worker's downloads in one
    /// folder under one --max-disk.
    public var get: [String] {
        ["--records-only", "--out", "\(work)/downloads", "--batches", "\(work)/batches"]
            + Self.pair("--max-disk", options.maxDisk ?? DiskBudget.defaultCap) + envWords + requestWords + debugWords
    }

    /// spaces-put for the uploads, without the settings file (`hostPut` travels to hosts with the settings).
    public var hostPut: [String] {
        var words = requestWords + presignWords + prefixWords
        for pair in options.meta { words += (Self.pair("--meta", pair)) }
        if let value = options.contentDisposition { words += (Self.pair("--content-disposition", value)) }
        if let size = options.multipartThreshold { words += (Self.pair("--multipart-threshold", size)) }
        if let size = options.partSize { words += (Self.pair("--part-size", size)) }
        if let count = options.partConcurrency { words += (Self.pair("--part-concurrency", count)) }
        return words + debugWords
    }

    /// spaces-put for the uploads on this machine: one --limit-rate cap for all the workers, booked in one file.
    public var put: [String] {
        var words = ["--records-only"] + envWords + hostPut
        if let rate = options.limitRate { words += Self.pair("--limit-rate", rate) + ["--limit-rate-share", "\(work)/rate.share"] }
        return words
    }

    /// spaces-put --delete of the deletion records spaces-exists wrote.
    public var delete: [String] {
        ["--delete"] + prefixWords + keyRuleWords + envWords + requestWords + debugWords
    }

    /// Before the uploads: abort the incomplete multipart uploads older than --abort-incomplete, or count them.
    public var before: [String] {
        let what = options.abortIncomplete.map { Self.pair("--abort-incomplete", $0) } ?? ["--list-incomplete"]
        return what + prefixWords + keyRuleWords + envWords + requestWords + debugWords
    }
}
