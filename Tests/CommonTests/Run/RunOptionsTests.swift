@testable import Common
import Testing

/// upload-images' command line, checked once before any work: each bad value is one line naming the option.
@Suite(.unitTimeLimit) struct RunOptionsTests {
    func options(_ change: (inout RunOptions) -> Void) -> RunOptions {
        var options = RunOptions()
        options.folder = "photos"
        change(&options)
        return options
    }

    @Test func theDefaultsRun() {
        #expect(options { _ in }.problem == nil)
        #expect(RunOptions().problem == "which folder? upload-images DIR (or --from-bucket)")
    }

    let bad: [((inout RunOptions) -> Void, String)] = [
        ({ (o: inout RunOptions) in o.workers = "0" }, "--workers must be"),
        ({ (o: inout RunOptions) in o.workers = "1001" }, "--workers must be"),
        ({ (o: inout RunOptions) in o.workers = "+5" }, "--workers must be"),
        ({ (o: inout RunOptions) in o.batchSize = "99999999999999999999" }, "--batch-size must be"),
        ({ (o: inout RunOptions) in o.crop = "middle" }, "--crop must be centre, attention or entropy (got 'middle')"),
        ({ (o: inout RunOptions) in o.maxDelete = "5" }, "--max-delete applies only with --delete-removed or --prune-orphans"),
        ({ (o: inout RunOptions) in o.deleteRemoved = true; o.maxDelete = "-1" }, "--max-delete must be"),
        ({ (o: inout RunOptions) in o.deleteRemoved = true; o.fromRecords = "f.jsonl" }, "--delete-removed needs a scan"),
        ({ (o: inout RunOptions) in o.watch = true; o.dryRun = true }, "--watch cannot be combined with --dry-run"),
        ({ (o: inout RunOptions) in o.watch = true; o.deleteRemoved = true }, "--watch cannot be combined with --delete-removed"),
        ({ (o: inout RunOptions) in o.watch = true; o.sshLogins = [":"] }, "--watch cannot be combined with --hosts/--sshlogin"),
        ({ (o: inout RunOptions) in o.deleteRemoved = true; o.prefix = "/" }, "--delete-removed, --prune-orphans and --abort-incomplete refuse an empty --prefix"),
        ({ (o: inout RunOptions) in o.abortIncomplete = "1d"; o.prefix = "" }, "--delete-removed, --prune-orphans and --abort-incomplete refuse an empty --prefix"),
        ({ (o: inout RunOptions) in o.prefix = "a//b" }, "--prefix must be"),
        ({ (o: inout RunOptions) in o.rules = [PathFilter.Rule(.exclude, "")] }, "--exclude needs a pattern (got an empty one)"),
        ({ (o: inout RunOptions) in o.thumbnails = "200" }, "--thumbnails:"),
        ({ (o: inout RunOptions) in o.thumbnailNames = "short" }, "--thumbnail-names must be stem or full"),
        ({ (o: inout RunOptions) in o.retries = "101" }, "--retries must be"),
        ({ (o: inout RunOptions) in o.connectTimeout = "abc" }, "--connect-timeout must be"),
        ({ (o: inout RunOptions) in o.limitRate = "fast" }, "--limit-rate must be"),
        ({ (o: inout RunOptions) in o.meta = ["a_b=1"] }, "--meta"),
        ({ (o: inout RunOptions) in o.partConcurrency = "many" }, "--part-concurrency must be"),
        ({ (o: inout RunOptions) in o.partConcurrency = "11" }, "--part-concurrency must be"),
        ({ (o: inout RunOptions) in o.partSize = "1K" }, "--part-size must be"),
        ({ (o: inout RunOptions) in o.abortIncomplete = "soon" }, "--abort-incomplete must be"),
        ({ (o: inout RunOptions) in o.presign = "8d" }, "--presign must be"),
        ({ (o: inout RunOptions) in o.hostFiles = ["hosts"]; o.limitRate = "1M" }, "--limit-rate cannot be combined with --hosts"),
    ]

    @Test func eachBadValueIsOneLineNamingItsOption() {
        for (change, message) in bad {
            let problem = options(change).problem
            #expect(problem?.hasPrefix(message) == true || problem?.contains(message) == true, "\(message): \(problem ?? "none")")
        }
    }

    @Test func goodValuesPass() {
        let good = options {
            $0.workers = "20"; $0.batchSize = "1000000"; $0.crop = "center"; $0.deleteRemoved = true; $0.maxDelete = "0"
            $0.thumbnails = "200x300,400x600.webp"; $0.thumbnailNames = "full"; $0.retries = "0"; $0.connectTimeout = "0.5"
            $0.limitRate = "1.5M"; $0.meta = ["owner=me"]; $0.partConcurrency = "10"; $0.abortIncomplete = "7d"; $0.presign = "15m"
        }
        #expect(good.problem == nil)
        #expect(good.requestSettings.connectTimeout == 0.5)
    }

    /// --from-bucket takes no folder, and what would reach a folder or an original is refused beside it.
    @Test func fromBucketTakesNoFolderAndWritesNoOriginal() {
        var bucket = RunOptions()
        bucket.fromBucket = true
        #expect(bucket.problem == nil)
        let refused: [((inout RunOptions) -> Void, String)] = [
            ({ $0.folder = "photos" }, "--from-bucket takes no folder (got 'photos')"),
            ({ $0.fromRecords = "f.jsonl" }, "--from-bucket cannot be combined with --from-records"),
            ({ $0.watch = true }, "--from-bucket cannot be combined with --watch"),
            ({ $0.deleteRemoved = true }, "--from-bucket cannot be combined with --delete-removed (--prune-orphans"),
            ({ $0.sshLogins = [":"] }, "--from-bucket cannot be combined with --hosts/--sshlogin"),
            ({ $0.rules = [PathFilter.Rule(.exclude, "raw")] }, "--from-bucket cannot be combined with --include/--exclude"),
            ({ $0.partSize = "8M" }, "no original is written"),
            ({ $0.maxDisk = "0" }, "--max-disk must be a size above 0"),
            ({ $0.maxDisk = "lots" }, "--max-disk must be a size above 0"),
            ({ $0.pruneOrphans = true; $0.prefix = "/" }, "refuse an empty --prefix"),
        ]
        for (change, message) in refused {
            var options = bucket
            change(&options)
            #expect(options.problem?.contains(message) == true, "\(message): \(options.problem ?? "nil")")
        }
        #expect(options { $0.pruneOrphans = true }.problem == "--prune-orphans goes with --from-bucket (with a folder, --delete-removed prunes)")
        #expect(options { $0.maxDisk = "1G" }.problem == "--max-disk goes with --from-bucket")
        bucket.pruneOrphans = true
        bucket.maxDelete = "3"
        #expect(bucket.problem == nil && bucket.prunes)
    }

}
