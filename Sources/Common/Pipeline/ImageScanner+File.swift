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
    /// thumbnail name is checked against the images in its own folder, the only ones whose names it can share.
    /// `shared` keeps each folder's shared names (`KeyMapper.sharedThumbnailKeys`) for the next files of the
    /// same folder looked at together: a folder's images are listed once, not once per file.
    public func outcome(ofFile rel: [UInt8], shared: inout [[UInt8]: [ExactKey: String]]) -> FileOutcome {
        let names = rel.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map(Array.init)
        guard let name = names.last, !names.contains(where: \.isEmpty), ImageScanner.isImageName(name, extensions: rules.extensions),
              !names.dropLast().contains(where: { rules.ignoredFolder($0) != nil }), rules.ignoredFile(name, rel: rel) == nil else {
            return .notTaken
        }
        let absoluteRoot = Self.absolute(root)
        let path = Array(absoluteRoot.utf8) + [UInt8(ascii: "/")] + rel
        var info = stat()
        guard Walk.withCPath(path, { stat($0, &info) }) == 0 else { return errno == ENOENT ? .gone : .notTaken }
        guard info.st_mode & S_IFMT == S_IFREG else { return .notTaken }
        guard let text = String(validating: rel, as: UTF8.self) else {
            let shown = Self.escaped(rel)
            if let shard, !shard.contains(rel: shown) { return .notTaken }
            return .record(.failure(path: absoluteRoot + "/" + shown, rel: shown, error: "file name is not valid UTF-8; rename it to upload it"))
        }
        if let shard, !shard.contains(rel: text) { return .notTaken }
        guard Walk.withCPath(path, { access($0, R_OK) }) == 0 else {
            return .record(.failure(path: absoluteRoot + "/" + text, rel: text, error: "permission denied"))
        }
        let folder = Array(rel.dropLast(name.count))
        if shared[folder] == nil {
            let siblings = imageRels(inFolder: folder, under: Array(absoluteRoot.utf8) + [UInt8(ascii: "/")])
            shared[folder] = keys.sharedThumbnailKeys(among: siblings, names: thumbnailNames)
        }
        let collision = shared[folder]?[ExactKey(text)]
        return .record(record(rel: text, under: absoluteRoot, size: Int64(info.st_size), mtime: Int64(info.st_mtim.tv_sec), collision: collision))
    }

    /// The images the scan would take in one folder (`folder` is empty or ends with `/`), as relative paths.
    private func imageRels(inFolder folder: [UInt8], under root: [UInt8]) -> [String] {
        guard let dir = Walk.withCPath(root + folder, { opendir($0) }) else { return [] }
        defer { closedir(dir) }
        var rels: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix(while: { $0 != 0 })) }
            let rel = folder + name
            guard ImageScanner.isImageName(name, extensions: rules.extensions), rules.ignoredFile(name, rel: rel) == nil,
                  let text = String(validating: rel, as: UTF8.self) else { continue }
            var info = stat()
            if Walk.withCPath(root + rel, { stat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFREG { rels.append(text) }
        }
        return rels
    }
}
