/// What img-scan leaves out of a folder besides files that are not images: junk that carries an image's
/// extension but is not a photo of the user's, and what `--include`/`--exclude` leave out.
public struct ScanRules: Sendable {
    /// `--include-hidden`: hidden files and folders (names starting with a dot) are scanned like any other.
    public var includeHidden = false
    public var filter = PathFilter()
    /// The extensions taken (lowercase, without the dot; matched in any case): `--extensions`.
    public var extensions = ImageScanner.imageExtensions

    public init(includeHidden: Bool = false, filter: PathFilter = PathFilter(), extensions: Set<String> = ImageScanner.imageExtensions) {
        self.includeHidden = includeHidden
        self.filter = filter
        self.extensions = extensions
    }

    /// `--extensions jpg,png,heic` as a set, or why it is not one: names of letters and digits, a leading dot
    /// allowed, any case.
    public static func extensions(from list: String) -> Result<Set<String>, PathFilter.Problem> {
        var names: Set<String> = []
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            var name = item.trimmingWhitespace().lowercased()
            if name.hasPrefix(".") { name.removeFirst() }
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
                return .failure(PathFilter.Problem(description: "--extensions takes names like jpg,png,heic separated by commas (got '\(item)')"))
            }
            names.insert(name)
        }
        return .success(names)
    }

    /// Why a file or folder was left out; counted by reason and named in `--debug`.
    public enum Reason: Int, CaseIterable, Sendable, Comparable {
        /// `._IMG_0001.jpg`: the resource fork macOS writes beside a file on a volume without its metadata
        /// (a USB disk, a network share); it carries the image's extension and holds no image.
        case appleDouble
        /// Synology's `@eaDir` and QNAP's `@__thumb`/`.@__thumb`: the NAS's own thumbnails of every photo
        /// (`SYNOPHOTO_THUMB_XL.jpg`), which would otherwise go up as originals.
        case nasFolder
        case hiddenFolder
        case hiddenFile
        case filtered

        public static func < (a: Reason, b: Reason) -> Bool { a.rawValue < b.rawValue }

        /// `3 AppleDouble files (._*)`: a count with what it counts.
        public func counted(_ number: Int) -> String {
            let plural = number == 1 ? "" : "s"
            switch self {
            case .appleDouble: return "\(number) AppleDouble file\(plural) (._*)"
            case .nasFolder: return "\(number) NAS thumbnail folder\(plural) (@eaDir, @__thumb)"
            case .hiddenFolder: return "\(number) hidden folder\(plural)"
            case .hiddenFile: return "\(number) hidden file\(plural)"
            case .filtered: return "\(number) file\(plural) left out by --include/--exclude"
            }
        }

        /// `hidden folder`, for the line `--debug` gives each one.
        public var label: String {
            switch self {
            case .appleDouble: return "AppleDouble file"
            case .nasFolder: return "NAS thumbnail folder"
            case .hiddenFolder: return "hidden folder"
            case .hiddenFile: return "hidden file"
            case .filtered: return "left out by --include/--exclude"
            }
        }
    }

    static let nasFolderNames = Set(["@eaDir", "@__thumb", ".@__thumb"].map { Array($0.utf8) })

    /// Why the folder `name` is not entered, or nil when it is.
    func ignoredFolder(_ name: [UInt8]) -> Reason? {
        if Self.nasFolderNames.contains(name) { return .nasFolder }
        if !includeHidden && name.first == UInt8(ascii: ".") { return .hiddenFolder }
        return nil
    }

    /// Why the image-named file at `rel` (its last name `name`) is not taken, or nil when it is.
    func ignoredFile(_ name: [UInt8], rel: [UInt8]) -> Reason? {
        if name.starts(with: "._".utf8) { return .appleDouble }
        if !includeHidden && name.first == UInt8(ascii: ".") { return .hiddenFile }
        if !filter.admits(rel) { return .filtered }
        return nil
    }

    /// Whether img-scan would take a file at `rel` (`/`-separated, relative to the scanned folder) were it there:
    /// an image name by `extensions`, in no ignored folder, not ignored itself. Pruning asks this of every key,
    /// so that an object whose file the scan leaves out is never taken for removed.
    public func admits(_ rel: String) -> Bool {
        let names = KeyMapper.segments(of: rel).map { Array($0.utf8) }
        guard let name = names.last, !names.contains(where: \.isEmpty),
              ImageScanner.isImageName(name, extensions: extensions) else { return false }
        guard !names.dropLast().contains(where: { ignoredFolder($0) != nil }) else { return false }
        return ignoredFile(name, rel: Array(rel.utf8)) == nil
    }

    /// `ignored 5: 3 AppleDouble files (._*), 2 hidden folders`: one line for the counts, nil when none.
    public static func summary(of ignored: [(rel: String, reason: Reason)]) -> String? {
        guard !ignored.isEmpty else { return nil }
        var counts: [Reason: Int] = [:]
        for entry in ignored { counts[entry.reason, default: 0] += 1 }
        let parts = counts.keys.sorted().map { $0.counted(counts[$0]!) }
        return "ignored \(ignored.count): " + parts.joined(separator: ", ")
    }
}
