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
        var records: [ImageRecord] = []
        let tally = try scan { record in
            records.append(record)
            return true
        }
        return Result(records: records, warnings: tally.warnings, ignored: tally.ignored)
    }

    /// The scan as it goes: each record handed to `found` as soon as its folder is read, in the byte order of
    /// relative paths (S3's order of the keys), what could not be scanned among them as failed records; the
    /// memory is one folder's names per level, whatever the size of the library. Stops when `found` returns
    /// false. Returns the warnings, and what was left out on purpose. Fails only when the folder itself cannot be
    /// scanned (`Directory not found`).
    public func scan(found: @escaping (ImageRecord) -> Bool) throws(ScanError) -> (warnings: [String], ignored: [(rel: String, reason: ScanRules.Reason)]) {
        var info = stat()
        guard stat(root, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { throw .directoryNotFound(root) }
        let absoluteRoot = Self.absolute(root)
        var walk = Walk(root: absoluteRoot, rules: rules)
        var ignored: [(rel: String, reason: ScanRules.Reason)] = []
        // Thumbnail keys are shared only within a folder (the key keeps the folder): each folder's images are
        // compared among themselves, readable or not, so whether a.png is uploaded never depends on whether the
        // a.jpg beside it could be read today.
        walk.collisions = { [keys, thumbnailNames] rels in
            let names = rels.compactMap { String(validating: $0, as: UTF8.self) }
            let shared = keys.sharedThumbnailKeys(among: names, names: thumbnailNames)
            var byBytes: [[UInt8]: String] = [:]
            for (key, reason) in shared { byBytes[Array(key.text.utf8)] = reason }
            return byBytes
        }
        // A part keeps its own images, failures and left-out files, but after the thumbnail keys were given out
        // over the whole folder: two images sharing one get the same keys whichever parts they are in.
        walk.emit = { [self] item in
            switch item {
            case .file(let rel, let size, let mtime, let readable, let collision):
                let text = String(validating: rel, as: UTF8.self)
                let record = record(rel, text: text, under: absoluteRoot, size: size, mtime: mtime, readable: readable, collision: collision)
                return shard?.contains(rel: record.rel) ?? true ? found(record) : true
            case .failure(let rel, let reason):
                // What could not be scanned is a failed record, counted and retried like any other failure: a
                // folder that cannot be read, an image name that cannot be followed.
                let shown = String(validating: rel, as: UTF8.self) ?? Self.escaped(rel)
                return shard?.contains(rel: shown) ?? true ? found(.failure(path: absoluteRoot + "/" + shown, rel: shown, error: reason)) : true
            case .ignored(let rel, let reason):
                let shown = Self.escaped(rel)
                if shard?.contains(rel: shown) ?? true { ignored.append((shown, reason)) }
                return true
            }
        }
        walk.visit(rel: [], info: info)
        if let unreadable = walk.rootFailure { throw .unreadable(root, unreadable) }
        return (walk.warnings, ignored)
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
    /// Where each item goes as it is found, in order (false: stop the walk); nil: kept in the arrays above.
    var emit: ((Item) -> Bool)?
    private(set) var stopped = false
    /// The reason each image of one folder cannot have its thumbnail key (another image of the folder shares
    /// it), by relative path, asked once per folder; nil: none asked.
    var collisions: (([[UInt8]]) -> [[UInt8]: String])?
    /// Why the folder the walk starts from cannot be read.
    var rootFailure: String?

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
            let reason = "cannot read folder: \(Self.reason()); the images in it were not scanned"
            if rel.isEmpty { rootFailure = reason } else { take(.failure(rel: rel, reason: reason)) }
            return
        }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if name == Array(".".utf8) || name == Array("..".utf8) { continue }
            names.append(name)
        }
        // Each entry looked at first, then taken in the order of the paths it makes: a folder sorts as its name
        // followed by `/`, so that files come out in the byte order of their whole relative paths (S3's order of
        // their keys) without keeping more than one folder's names per level. Looked at from the open folder
        // (fstatat, faccessat): the kernel does not walk the whole path again for every file.
        let folder = dirfd(dir)
        // An image file: a regular file with an image's name, and why the rules leave it out, if they do.
        typealias Entry = (name: [UInt8], rel: [UInt8], info: stat?, order: [UInt8], image: (ignored: ScanRules.Reason?, readable: Bool)?)
        var entries: [Entry] = names.map { name in
            var childInfo = stat()
            let found = Self.withCPath(name, { fstatat(folder, $0, &childInfo, 0) }) == 0
            let childRel = rel.isEmpty ? name : rel + [UInt8(ascii: "/")] + name
            let isFolder = found && childInfo.st_mode & S_IFMT == S_IFDIR
            var image: (ignored: ScanRules.Reason?, readable: Bool)?
            if found && childInfo.st_mode & S_IFMT == S_IFREG && ImageScanner.isImageName(name, extensions: rules.extensions) {
                let ignored = rules.ignoredFile(name, rel: childRel)
                image = (ignored, ignored == nil && Self.withCPath(name, { faccessat(folder, $0, R_OK, 0) }) == 0)
            }
            return (name, childRel, found ? childInfo : nil, isFolder ? name + [UInt8(ascii: "/")] : name, image)
        }
        closedir(dir)
        entries.sort { KeyOrder.compare($0.order, $1.order) < 0 }
        // Only the images the scan takes share thumbnail keys: one the rules leave out is not uploaded.
        let collided = collisions?(entries.filter { $0.image.map { $0.ignored == nil } ?? false }.map(\.rel)) ?? [:]
        for (name, childRel, info, _, image) in entries where !stopped {
            var childPath: [UInt8] { path + [UInt8(ascii: "/")] + name }
            guard let childInfo = info else {
                // A name that cannot be followed: a link to an image that is gone, or to a folder whose drive is
                // not mounted (nothing tells which). Either way it is a failure, never silence: a failed record
                // keeps whatever was uploaded from under its name when removed images are pruned.
                if ImageScanner.isImageName(name, extensions: rules.extensions) {
                    if let reason = rules.ignoredFile(name, rel: childRel) {
                        take(.ignored(rel: childRel, reason: reason))
                    } else {
                        take(.failure(rel: childRel, reason: Self.unfollowable(childPath)))
                    }
                } else if let reason = rules.ignoredFolder(name) {
                    take(.ignored(rel: childRel, reason: reason))
                } else {
                    take(.failure(rel: childRel, reason: Self.unfollowable(childPath) + "; if it was a folder (a drive not mounted?), the images under it were not scanned"))
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
                    take(.ignored(rel: childRel, reason: reason))
                } else {
                    visit(rel: childRel, info: childInfo)
                }
            case S_IFREG:
                guard let image else { continue }
                if let reason = image.ignored {
                    take(.ignored(rel: childRel, reason: reason))
                    continue
                }
                take(.file(rel: childRel, size: Int64(childInfo.st_size), mtime: Int64(childInfo.st_mtim.tv_sec),
                           readable: image.readable, collision: collided[childRel]))
            default:
                continue
            }
        }
    }

    /// What the walk found, handed to `emit` as it comes, or kept in `files`, `failures` and `ignored`.
    enum Item {
        case file(rel: [UInt8], size: Int64, mtime: Int64, readable: Bool, collision: String?)
        case failure(rel: [UInt8], reason: String)
        case ignored(rel: [UInt8], reason: ScanRules.Reason)
    }

    private mutating func take(_ item: Item) {
        if let emit {
            if !emit(item) { stopped = true }
            return
        }
        switch item {
        case .file(let rel, let size, let mtime, let readable, _): files.append((rel, size, mtime, readable))
        case .failure(let rel, let reason): failures.append((rel, reason))
        case .ignored(let rel, let reason): ignored.append((rel, reason))
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
