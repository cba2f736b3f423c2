import FoundationEssentials
import Glibc

/// `img-scan --watch`: the folder's images as the scan finds them, then each image that arrives, once it is
/// complete. A file is taken once its writer closed it (or it was moved in) and it then stayed unchanged for
/// `settle` seconds, so that a file still being written, even by a writer that opens it again and again, is
/// never sent; a file of the first scan written in the last few seconds waits the same way. A new folder is
/// watched, then scanned (its files may predate the watch); an overflow of the kernel's queue, or a request
/// (`rescanRequested`, USR1), scans the whole tree again: what was already uploaded is skipped further down the
/// pipeline. Which folders are watched is decided by the scan's own walk (`Walk`): each real folder once.
public final class WatchScan {
    /// How long a closed file must stay unchanged before it is taken.
    public static let settle = 0.3
    /// Files of a scan modified this recently may still be being written: they wait to settle too.
    public static let recent: Int64 = 3

    public let scanner: ImageScanner
    let watch: FolderWatch
    let absoluteRoot: String
    /// The files waiting to settle: their identity when last looked at, and when to look again.
    private(set) var waiting: [[UInt8]: (identity: FileIdentity?, due: Double)] = [:]
    /// Set to scan the whole tree again at the next turn (USR1 does it, after `catchRescanSignal`).
    public var rescanRequested = false
    nonisolated(unsafe) private static var rescanSignalled: sig_atomic_t = 0

    /// USR1 asks for a scan of the whole tree at the next turn (not HUP: a terminal that closes sends HUP, and
    /// then the watch must end with the pipeline, not go on alone).
    public static func catchRescanSignal() {
        signal(SIGUSR1) { _ in WatchScan.rescanSignalled = 1 }
    }

    /// Watches the whole tree first, so that nothing written during the first scan is missed.
    public init(scanner: ImageScanner) throws(FileError) {
        self.scanner = scanner
        absoluteRoot = ImageScanner.absolute(scanner.root)
        watch = try FolderWatch(root: absoluteRoot, rules: scanner.rules)
        _ = walk([])
    }

    /// Walks the folder `rel` as the scan does (the same rules, each real folder once), watching every folder it
    /// enters; returns what it found. The whole tree ([]) is walked as the scan walks it, links to folders
    /// followed; a folder that appeared (or was renamed) is walked without following links to folders, so that
    /// a link in it back into the tree (`up -> ..`) never renames the watches of folders already watched or
    /// sends their images again under other keys (such a link is followed from the next whole walk on).
    private func walk(_ rel: [UInt8]) -> Walk {
        var walk = Walk(root: absoluteRoot, rules: scanner.rules, followsFolderLinks: rel.isEmpty,
                        entering: { [watch] folder in watch.watch(folder) })
        let path = rel.isEmpty ? Array(absoluteRoot.utf8) : Array(absoluteRoot.utf8) + [UInt8(ascii: "/")] + rel
        var info = stat()
        guard Walk.withCPath(path, { stat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFDIR else { return walk }
        walk.visit(rel: rel, info: info)
        return walk
    }

    /// How many folders are watched.
    public var watchedCount: Int { watch.count }

    /// The first scan's result, with the records of files modified in the last `recent` seconds taken out: they
    /// wait to settle, and come out of `turn` later.
    public func firstScan(now: Double = WatchScan.clock(), wallClock: Int64 = Int64(time(nil))) throws(ScanError) -> ImageScanner.Result {
        var result = try scanner.scan()
        let newest = wallClock - Self.recent
        result.records.removeAll { record in
            guard record.status == nil, let mtime = record.mtime, mtime >= newest else { return false }
            hold(Array(record.rel.utf8), now: now)
            return true
        }
        return result
    }

    /// Waits up to `timeout` seconds for what the folder does, and returns the records of the files that are
    /// complete by now, with the warnings met (folders that cannot be watched) and whether the whole tree was
    /// scanned again (after an overflow or a request).
    public func turn(timeout: Double) -> (records: [ImageRecord], warnings: [String], rescanned: Bool) {
        let wait = waiting.values.map(\.due).min().map { max(0, min(timeout, $0 - Self.clock())) } ?? timeout
        let events = watch.next(timeout: wait)
        var now = Self.clock()
        if Self.rescanSignalled != 0 {
            Self.rescanSignalled = 0
            rescanRequested = true
        }
        var records: [ImageRecord] = [], warnings: [String] = []
        let rescanned = rescanRequested || events.contains(.overflow)
        if rescanned {
            rescanRequested = false
            holdFiles(under: [], now: now, &records, &warnings)
        }
        for event in events {
            switch event {
            case .file(let rel): hold(rel, now: now)
            case .folder(let rel): holdFiles(under: rel, now: now, &records, &warnings)
            case .overflow: continue
            }
        }
        now = Self.clock()
        var listed: [[UInt8]: [[UInt8]]] = [:]
        for (rel, entry) in waiting where entry.due <= now {
            let identity = identity(of: rel)
            if identity != entry.identity {
                waiting[rel] = identity == nil ? nil : (identity, now + Self.settle)
                continue
            }
            waiting[rel] = nil
            if case .record(let record) = scanner.outcome(ofFile: rel, listed: &listed) { records.append(record) }
        }
        records.sort { $0.rel.utf8.lexicographicallyPrecedes($1.rel.utf8) }
        return (records, watch.takeProblems() + warnings, rescanned)
    }

    /// The file waits `settle` seconds from now (again, when it was already waiting).
    func hold(_ rel: [UInt8], now: Double) {
        waiting[rel] = (identity(of: rel), now + Self.settle)
    }

    /// The file's identity now, by its path's bytes (a name that is not UTF-8 is looked at as it is).
    private func identity(of rel: [UInt8]) -> FileIdentity? {
        var info = stat()
        return Walk.withCPath(Array(absoluteRoot.utf8) + [UInt8(ascii: "/")] + rel, { stat($0, &info) }) == 0 ? FileIdentity(info) : nil
    }

    /// The folder `rel` (the root for []) walked and watched: its image files wait to settle; what could not be
    /// read fails at once, as in the scan (a folder that cannot be read, a link to nothing), with its warnings.
    private func holdFiles(under rel: [UInt8], now: Double, _ records: inout [ImageRecord], _ warnings: inout [String]) {
        let walk = walk(rel)
        for file in walk.files { hold(file.rel, now: now) }
        warnings += walk.warnings
        for failure in walk.failures + (walk.rootFailure.map { [(rel: rel, reason: $0)] } ?? []) {
            let shown = ImageScanner.escaped(failure.rel)
            records.append(.failure(path: absoluteRoot + "/" + shown, rel: shown, error: failure.reason))
        }
    }

    /// Seconds on the monotonic clock.
    public static func clock() -> Double { MonotonicClock.seconds() }
}
