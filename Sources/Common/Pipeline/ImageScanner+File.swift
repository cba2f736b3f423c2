import FoundationEssentials
import Glibc

/// One file at a time, for `img-scan --watch`: the record the scan would make of a file that just arrived.
extension ImageScanner {
    /// What one file under the folder is to the scan.
    public enum FileOutcome: Equatable {
        /// Its record (failed when it cannot be uploaded: an unreadable file, a name that is not UTF-8, a
        /// thumbnail name shared with an image beside it).
        case record(ImageRecord)
        /// Not taken: no image name, left out by the rules, in another --shard part, or not a regular file.
        case notTaken
        /// Gone before it was looked at: not an error.
        case gone
    }

    /// The record of the file at `rel` (bytes, `/`-separated, under `root`), made by the scan's rules and keys; its
    /// thumbnail name is checked against the images of the same stem in its own folder, the only ones whose
    /// names it can share. `listed` keeps each folder's names for the next files of the same folder looked at
    /// together: a folder is read once, and only the names of the same stem are looked at.
    public func outcome(ofFile rel: [UInt8], listed: inout [[UInt8]: [[UInt8]]]) -> FileOutcome {
        let names = rel.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Array.init)
        guard let name = names.last, !names.contains(where: \.isEmpty), ImageScanner.isImageName(name, extensions: rules.extensions),
              !names.dropLast().contains(where: { rules.ignoredFolder($0) != nil }), rules.ignoredFile(name, rel: rel) == nil else {
            return .notTaken
        }
        let absoluteRoot = Self.absolute(root)
        let path = Array(absoluteRoot.utf8) + [UInt8(ascii: "/")] + rel
        let shown = String(validating: rel, as: UTF8.self) ?? Self.escaped(rel)
        if let shard, !shard.contains(rel: shown) { return .notTaken }
        let failed = { (why: String) in FileOutcome.record(.failure(path: absoluteRoot + "/" + shown, rel: shown, error: why)) }
        var info = stat()
        guard Walk.withCPath(path, { stat($0, &info) }) == 0 else {
            // A link to nothing, or a name that cannot be followed, fails as in the scan; a file gone is no error.
            var link = stat()
            guard errno != ENOENT || Walk.withCPath(path, { lstat($0, &link) }) == 0 else { return .gone }
            return failed(Walk.unfollowable(path))
        }
        guard info.st_mode & S_IFMT == S_IFREG else { return .notTaken }
        let text = String(validating: rel, as: UTF8.self)
        let readable = Walk.withCPath(path, { access($0, R_OK) }) == 0
        guard let text, readable else {
            return .record(record(rel, text: text, under: absoluteRoot, size: 0, mtime: 0, readable: readable, collision: nil))
        }
        let folder = Array(rel.dropLast(name.count))
        if listed[folder] == nil { listed[folder] = Self.names(in: Array(absoluteRoot.utf8) + [UInt8(ascii: "/")] + folder) }
        let stem = Self.stem(name)
        let siblings = (listed[folder] ?? []).filter { Self.stem($0) == stem }.compactMap { other -> String? in
            let otherRel = folder + other
            var otherInfo = stat()
            guard ImageScanner.isImageName(other, extensions: rules.extensions), rules.ignoredFile(other, rel: otherRel) == nil,
                  Walk.withCPath(Array(absoluteRoot.utf8) + [UInt8(ascii: "/")] + otherRel, { stat($0, &otherInfo) }) == 0,
                  otherInfo.st_mode & S_IFMT == S_IFREG else { return nil }
            return String(validating: otherRel, as: UTF8.self)
        }
        let collision = keys.sharedThumbnailKeys(among: siblings.contains(text) ? siblings : siblings + [text], names: thumbnailNames)[ExactKey(text)]
        return .record(record(rel: text, under: absoluteRoot, size: Int64(info.st_size), mtime: Int64(info.st_mtim.tv_sec), collision: collision))
    }

    /// A name up to its last dot (the whole name when it has none).
    static func stem(_ name: [UInt8]) -> ArraySlice<UInt8> {
        name.lastIndex(of: UInt8(ascii: ".")).map { name[..<$0] } ?? name[...]
    }

    /// The names in a folder (`folder` ends with `/`), "." and ".." left out.
    private static func names(in folder: [UInt8]) -> [[UInt8]] {
        guard let dir = Walk.withCPath(folder, { opendir($0) }) else { return [] }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            if name != Array(".".utf8) && name != Array("..".utf8) { names.append(name) }
        }
        return names
    }
}
