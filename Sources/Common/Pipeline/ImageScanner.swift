import FoundationEssentials
import Glibc

/// Finds the images under a folder and turns each into a record with its bucket keys (`img-scan`).
///
/// Walks with `opendir`/`readdir` on raw bytes so that names which are not UTF-8 can be reported
/// exactly; follows symbolic links but visits each real folder once, so loops cannot hang it.
public struct ImageScanner {
    /// The extensions img-scan takes by default (any case): the Python tool's eight, and the formats of
    /// today's phones and browsers that libvips here decodes (HEIC/HEIF, AVIF, JPEG XL).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "webp", "gif", "bmp", "tiff", "tif",
                                                      "heic", "heif", "avif", "jxl"]

    public let root: String
    public let keys: KeyMapper
    public let rules: ScanRules
    /// The thumbnails each image needs: the first gives `thumbnail_key`, the rest `extra_thumbnails`.
    public let thumbnails: [ThumbnailSpec]
    /// Only this part of the folder (`--shard I/N`), or all of it.
    public let shard: Shard?
    /// How thumbnails are named (`--thumbnail-names`).
    public let thumbnailNames: KeyMapper.ThumbnailNames

    /// What the scan found: records in sorted order, plus problems that did not stop it.
    public struct Result {
        public var records: [ImageRecord] = []
        public var warnings: [String] = []
        /// What was left out on purpose (junk, hidden, filtered), by relative path: not problems.
        public var ignored: [(rel: String, reason: ScanRules.Reason)] = []
        /// True when anything was skipped for a reason the user should see (exit status 1).
        public var hadProblems: Bool { !warnings.isEmpty || records.contains { $0.status == .failed } }
    }

    public init(root: String, prefix: String, rules: ScanRules = ScanRules(), thumbnails: [ThumbnailSpec] = [.standard],
                shard: Shard? = nil, names: KeyMapper.ThumbnailNames = .stem) {
        self.root = root
        thumbnailNames = names
        keys = KeyMapper(prefix: prefix)
        self.rules = rules
        self.thumbnails = thumbnails.isEmpty ? [.standard] : thumbnails
        self.shard = shard
    }

    /// Fails only when the folder itself cannot be scanned (`Directory not found`).
    public func scan() throws(ScanError) -> Result {
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { throw .directoryNotFound(root) }
        let absoluteRoot = Self.absolute(root)
        var walk = Walk(root: absoluteRoot, rules: rules)
        walk.visit(rel: [], info: info)
        if let unreadable = walk.failures.first(where: { $0.rel.isEmpty }) { throw .unreadable(root, unreadable.reason) }
        var result = Result(warnings: walk.warnings)
        result.ignored = walk.ignored.map { (Self.escaped($0.rel), $0.reason) }
        let files = walk.files.sorted { $0.rel.lexicographicallyPrecedes($1.rel) }
        let names = files.map { String(validating: $0.rel, as: UTF8.self) }
        // Every image name takes part, readable or not: whether a.png is uploaded never depends on whether the
        // a.jpg beside it could be read today.
        let shared = keys.sharedThumbnailKeys(among: names.compactMap { $0 }, names: thumbnailNames)
        for (file, name) in zip(files, names) {
            result.records.append(record(file.rel, text: name, under: absoluteRoot, size: file.size, mtime: file.mtime,
                                         readable: file.readable, collision: name.flatMap { shared[ExactKey($0)] }))
        }
        // What could not be scanned is reported as failed records, so that it is counted and retried like
        // any other failure: a folder that cannot be read, an image name that cannot be followed.
        if !walk.failures.isEmpty {
            for failure in walk.failures {
                let rel = String(validating: failure.rel, as: UTF8.self) ?? Self.escaped(failure.rel)
                result.records.append(.failure(path: absoluteRoot + "/" + rel, rel: rel, error: failure.reason))
            }
            result.records.sort { $0.rel.utf8.lexicographicallyPrecedes($1.rel.utf8) }
        }
        // A part keeps its own images, failures and left-out files, but after the thumbnail keys were given
        // out over the whole folder: two images sharing one get the same keys whichever parts they are in.
        if let shard {
            result.records.removeAll { !shard.contains(rel: $0.rel) }
            result.ignored.removeAll { !shard.contains(rel: $0.rel) }
        }
        return result
    }

    /// The record of an image file found at `rel` (its bytes; `text` when they are UTF-8): failed when its name is
    /// not UTF-8 or it cannot be read, else `record(rel:...)`.
    func record(_ rel: [UInt8], text: String?, under absoluteRoot: String, size: Int64, mtime: Int64, readable: Bool,
                collision: String?) -> ImageRecord {
        guard let text else {
            let shown = Self.escaped(rel)
            return .failure(path: absoluteRoot + "/" + shown, rel: shown, error: "file name is not valid UTF-8; rename it to upload it")
        }
        guard readable else { return .failure(path: absoluteRoot + "/" + text, rel: text, error: "permission denied") }
        return record(rel: text, under: absoluteRoot, size: size, mtime: mtime, collision: collision)
    }

    /// The record of a readable image: its keys, or failed when its thumbnail name is another image's too.
    func record(rel: String, under absoluteRoot: String, size: Int64, mtime: Int64, collision: String?) -> ImageRecord {
        let standardKey = collision == nil ? keys.thumbnailKey(for: rel, names: thumbnailNames) : nil
        var record = ImageRecord(path: absoluteRoot + "/" + rel, rel: rel, size: size, mtime: mtime,
                                 key: keys.originalKey(for: rel), thumbnailKey: standardKey.map { keys.thumbnailKey($0, for: thumbnails[0]) })
        if let collision {
            record.status = .failed
            record.error = collision
        } else if let standardKey, thumbnails != [.standard] {
            record.thumbnailSpec = thumbnails[0].description
            let extras = thumbnails.dropFirst().map { ImageRecord.ExtraThumbnail(key: keys.thumbnailKey(standardKey, for: $0), spec: $0.description) }
            if !extras.isEmpty { record.extraThumbnails = extras }
        }
        return record
    }

    /// `record` with the thumbnails of `specs` in place of those it names (img-thumb --thumbnails), keyed as a scan
    /// with the prefix of its key would key them; nil when its key is not `PREFIX/original/` and its `rel`.
    public static func replacingThumbnails(of record: ImageRecord, with specs: [ThumbnailSpec],
                                           names: KeyMapper.ThumbnailNames) -> ImageRecord? {
        guard let key = record.key, let prefix = KeyMapper.prefix(ofOriginal: key, rel: record.rel) else { return nil }
        let keyed = ImageScanner(root: "", prefix: prefix, thumbnails: specs, names: names)
            .record(rel: record.rel, under: "", size: 0, mtime: 0, collision: nil)
        guard ExactKey(keyed.key ?? "") == ExactKey(key) else { return nil }
        var replaced = record
        replaced.thumbnailKey = keyed.thumbnailKey
        replaced.thumbnailSpec = keyed.thumbnailSpec
        replaced.extraThumbnails = keyed.extraThumbnails
        return replaced
    }

    static func absolute(_ path: String) -> String {
        var resolved = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        while resolved.count > 1 && resolved.hasSuffix("/") { resolved.removeLast() }
        return realpath(resolved, nil).map { real in defer { free(real) }; return String(cString: real) } ?? resolved
    }

    /// Bytes that are not valid UTF-8 shown as `\xNN`, the rest as text.
    public static func escaped(_ bytes: [UInt8]) -> String {
        var text = ""
        var index = 0
        while index < bytes.count {
            var length = 1
            var decoded: String?
            while length <= 4 && index + length <= bytes.count {
                if let s = String(validating: bytes[index..<index + length], as: UTF8.self) {
                    decoded = s
                    break
                }
                length += 1
            }
            if let decoded {
                text += decoded
                index += length
            } else {
                text += Printf.string("\\x%02X", bytes[index])
                index += 1
            }
        }
        return text
    }

    public static func isImageName(_ name: [UInt8], extensions: Set<String> = imageExtensions) -> Bool {
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > 0 else { return false }
        let ext = String(decoding: name[(dot + 1)...], as: UTF8.self).lowercased()
        return extensions.contains(ext)
    }
}

/// The recursive part of the scan, on raw path bytes.
struct Walk {
    struct FileID: Hashable { var device: UInt64; var inode: UInt64 }

    let root: [UInt8]
    let rules: ScanRules
    var files: [(rel: [UInt8], size: Int64, mtime: Int64, readable: Bool)] = []
    var warnings: [String] = []
    /// Folders and image names that could not be read, each with the reason.
    var failures: [(rel: [UInt8], reason: String)] = []
    var ignored: [(rel: [UInt8], reason: ScanRules.Reason)] = []
    var visited: Set<FileID> = []
    /// Called with each folder entered (relative path bytes; the root is []), once per real folder.
    var entering: (([UInt8]) -> Void)?
    /// Whether a symbolic link to a folder is entered (the scan: yes).
    let followsFolderLinks: Bool

    init(root: String, rules: ScanRules, followsFolderLinks: Bool = true, entering: (([UInt8]) -> Void)? = nil) {
        self.root = Array(root.utf8)
        self.rules = rules
        self.followsFolderLinks = followsFolderLinks
        self.entering = entering
    }

    mutating func visit(rel: [UInt8], info: stat) {
        let path = rel.isEmpty ? root : root + [UInt8(ascii: "/")] + rel
        let shown = ImageScanner.escaped(path)
        guard visited.insert(FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))).inserted else {
            warnings.append("\(shown): folder already scanned (symbolic link loop?); skipped")
            return
        }
        entering?(rel)
        guard let dir = Self.withCPath(path, { opendir($0) }) else {
            failures.append((rel, "cannot read folder: \(Self.reason()); the images in it were not scanned"))
            return
        }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if name == Array(".".utf8) || name == Array("..".utf8) { continue }
            names.append(name)
        }
        closedir(dir)
        for name in names.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let childRel = rel.isEmpty ? name : rel + [UInt8(ascii: "/")] + name
            var childInfo = stat()
            let childPath = path + [UInt8(ascii: "/")] + name
            guard Self.withCPath(childPath, { stat($0, &childInfo) }) == 0 else {
                // A name that cannot be followed: a link to an image that is gone, or to a folder whose drive is
                // not mounted (nothing tells which). Either way it is a failure, never silence: a failed record
                // keeps whatever was uploaded from under its name when removed images are pruned.
                if ImageScanner.isImageName(name, extensions: rules.extensions) {
                    if let reason = rules.ignoredFile(name, rel: childRel) {
                        ignored.append((childRel, reason))
                    } else {
                        failures.append((childRel, Self.unfollowable(childPath)))
                    }
                } else if let reason = rules.ignoredFolder(name) {
                    ignored.append((childRel, reason))
                } else {
                    failures.append((childRel, Self.unfollowable(childPath) + "; if it was a folder (a drive not mounted?), the images under it were not scanned"))
                }
                continue
            }
            switch childInfo.st_mode & S_IFMT {
            case S_IFDIR:
                var link = stat()
                if !followsFolderLinks && Self.withCPath(childPath, { lstat($0, &link) }) == 0 && link.st_mode & S_IFMT == S_IFLNK {
                    continue
                }
                if let reason = rules.ignoredFolder(name) {
                    ignored.append((childRel, reason))
                } else {
                    visit(rel: childRel, info: childInfo)
                }
            case S_IFREG where ImageScanner.isImageName(name, extensions: rules.extensions):
                if let reason = rules.ignoredFile(name, rel: childRel) {
                    ignored.append((childRel, reason))
                    continue
                }
                let readable = Self.withCPath(path + [UInt8(ascii: "/")] + name, { access($0, R_OK) }) == 0
                files.append((childRel, Int64(childInfo.st_size), Int64(childInfo.st_mtim.tv_sec), readable))
            default:
                continue
            }
        }
    }

    static func withCPath<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> T) -> T {
        (bytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    static func reason() -> String { String(cString: strerror(errno)).lowercased() }

    /// Why `stat` failed for a name that was listed: a link to nothing is named as such.
    static func unfollowable(_ path: [UInt8]) -> String {
        let why = reason()
        var target = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = withCPath(path) { readlink($0, &target, target.count - 1) }
        guard length >= 0 else { return why }
        let shown = ImageScanner.escaped(target.prefix(length).map { UInt8(bitPattern: $0) })
        return "broken symbolic link to \(shown) (\(why))"
    }
}

public enum ScanError: Error, CustomStringConvertible {
    case directoryNotFound(String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .directoryNotFound(let path): return "Directory not found: \(path)"
        case .unreadable(let path, let why): return "\(path): \(why)"
        }
    }
}
