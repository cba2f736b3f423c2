import Glibc

/// Follows a file that others append lines to, reading only what was added since the last look: its complete
/// lines counted, and those that hold a failed or a skipped record. The progress of a million images never reads the
/// results file again from its start.
public struct LineFollower: Sendable {
    public let path: String
    public private(set) var offset: Int64
    public private(set) var lines = 0
    public private(set) var failed = 0
    public private(set) var skipped = 0

    /// From `offset` on (the lines before it are not counted).
    public init(path: String, offset: Int64) {
        self.path = path
        self.offset = offset
    }

    private static let failedMark = Array(#""status":"failed""#.utf8)
    private static let skippedMark = Array(#""status":"skipped""#.utf8)

    public mutating func update() {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var carry: [UInt8] = []
        while true {
            let count = pread(fd, &buffer, buffer.count, off_t(offset) + off_t(carry.count))
            guard count > 0 else { break }
            carry += buffer[..<count]
            // Whole lines only: the rest waits for its newline.
            guard let last = carry.lastIndex(of: UInt8(ascii: "\n")) else { continue }
            for line in carry[...last].split(separator: UInt8(ascii: "\n")) {
                lines += 1
                if Self.contains(line, Self.failedMark) { failed += 1 } else if Self.contains(line, Self.skippedMark) { skipped += 1 }
            }
            offset += Int64(last + 1)
            carry.removeFirst(last + 1)
        }
    }

    static func contains(_ line: ArraySlice<UInt8>, _ mark: [UInt8]) -> Bool {
        guard line.count >= mark.count else { return false }
        var index = line.startIndex
        while index + mark.count <= line.endIndex {
            if line[index] == mark[0] && line[index..<index + mark.count].elementsEqual(mark) { return true }
            index += 1
        }
        return false
    }
}
