@testable import Common
import Testing

/// The words of each command upload-images runs, made from its options.
@Suite(.unitTimeLimit) struct RunStagesTests {
    @Test func theScanKeepsTheRulesInTheirOrderAndValuesThatBeginWithADash() {
        var options = RunOptions()
        options.folder = "-photos"
        options.rules = [PathFilter.Rule(.exclude, "raw"), PathFilter.Rule(.include, "raw/best"), PathFilter.Rule(.exclude, "-x")]
        options.includeHidden = true
        options.prefix = "-p"
        let stages = RunStages(options: options, work: "/w", bin: "/b")
        #expect(stages.source == ["/b/img-scan", "--records-only", "--prefix=-p", "--exclude", "raw", "--include", "raw/best",
                                  "--exclude=-x", "--include-hidden", "--", "-photos"])
    }

    @Test func recordsComeFromTheFileWithFromRecords() {
        var options = RunOptions()
        options.fromRecords = "failures.jsonl"
        #expect(RunStages(options: options, work: "/w", bin: "/b").source == ["/b/upload-run", "records", "--", "failures.jsonl"])
    }

    @Test func existsPrunesOnlyWithDeleteRemovedAndSkipsNothingWithNoSkipExisting() {
        var options = RunOptions()
        options.folder = "p"
        options.extensions = "jpg"
        #expect(RunStages(options: options, work: "/w", bin: "/b").exists == ["--records-only", "--pending", "/w/pending.jsonl", "--extensions", "jpg"])
        options.skipExisting = false
        options.deleteRemoved = true
        options.maxDelete = "007"
        options.envFile = "e.env"
        let words = RunStages(options: options, work: "/w", bin: "/b").exists
        #expect(words == ["--records-only", "--env-file", "e.env", "--pending", "/w/pending.jsonl", "--no-skip", "--removed", "/w/removed.jsonl",
                          "--prefix", "avatar", "--extensions", "jpg", "--max-delete", "7"])
    }

    @Test func theUploadsShareOneRateCapAndHostsGetNoSettingsFile() {
        var options = RunOptions()
        options.folder = "p"
        options.envFile = "e.env"
        options.limitRate = "1M"
        options.meta = ["a=1"]
        options.crop = "center"
        options.debug = true
        let stages = RunStages(options: options, work: "/w", bin: "/b")
        #expect(stages.put == ["--records-only", "--env-file", "e.env", "--prefix", "avatar", "--meta", "a=1", "--debug",
                               "--limit-rate", "1M", "--limit-rate-share", "/w/rate.share"])
        #expect(!stages.hostPut.contains("--env-file") && !stages.hostPut.contains("--records-only"))
        #expect(stages.thumb == ["--records-only", "--out", "/w/thumbs", "--batches", "/w/batches", "--crop", "centre", "--debug"])
        #expect(stages.hostThumb == ["--crop", "centre", "--debug"])
    }

    @Test func beforeTheUploadsAbortOrCount() {
        var options = RunOptions()
        options.folder = "p"
        #expect(RunStages(options: options, work: "/w", bin: "/b").before.first == "--list-incomplete")
        options.abortIncomplete = "1d"
        #expect(RunStages(options: options, work: "/w", bin: "/b").before.prefix(2) == ["--abort-incomplete", "1d"])
    }

    /// --watch: img-scan keeps watching and counts what it sent, spaces-exists streams, img-thumb reads its input.
    @Test func watchStreamsEveryStage() {
        var options = RunOptions()
        options.folder = "photos"
        options.watch = true
        let stages = RunStages(options: options, work: "/w", bin: "/b")
        #expect(stages.source.suffix(5) == ["--watch", "--count-file", "/w/scan.count", "--", "photos"])
        #expect(stages.exists.contains("--stream") && !stages.exists.contains("--pending"))
        #expect(!stages.thumb.contains("--batches"))
    }

    /// --from-bucket: spaces-ls lists the originals of the prefix; each worker's spaces-get takes the batches
    /// and img-thumb reads what it downloaded; --prune-orphans prunes with the bucket's originals as the scan.
    @Test func fromBucketListsDownloadsAndPrunesOrphans() {
        var options = RunOptions()
        options.fromBucket = true
        options.prefix = "my photos"
        options.thumbnails = "400x600:webp"
        options.workers = "2"
        options.maxDisk = "2G"
        options.pruneOrphans = true
        options.envFile = "e.env"
        let stages = RunStages(options: options, work: "/w", bin: "/b")
        #expect(stages.source == ["/b/spaces-ls", "--records-only", "--originals", "--thumbnails", "400x600:webp",
                                  "--env-file", "e.env", "--", "my photos"])
        #expect(stages.downloads)
        #expect(stages.get == ["--records-only", "--out", "/w/downloads", "--batches", "/w/batches", "--max-disk", "2G", "--env-file", "e.env"])
        #expect(stages.thumb == ["--records-only", "--out", "/w/thumbs"])
        #expect(stages.exists == ["--records-only", "--env-file", "e.env", "--pending", "/w/pending.jsonl", "--removed", "/w/removed.jsonl",
                                  "--prefix", "my photos", "--orphans"])
        var folder = RunOptions()
        folder.folder = "p"
        #expect(!RunStages(options: folder, work: "/w", bin: "/b").downloads)
        folder.fromRecords = "failures.jsonl"
        folder.folder = nil
        #expect(RunStages(options: folder, work: "/w", bin: "/b").downloads, "a failures file may hold images of the bucket")
    }
}
