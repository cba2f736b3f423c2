extension FileIdentity {
    /// `DEVICE:INODE:SIZE:MTIME_NANOSECONDS`, as a record's `thumbnail_source` holds it.
    public var recordValue: String { "\(device):\(inode):\(size):\(modifiedNanoseconds)" }

    /// How this identity differs from `other`, for a message: `replaced`, `N bytes then, M now`, `modified`.
    public func change(since other: FileIdentity) -> String {
        if device != other.device || inode != other.inode { return "replaced by another file" }
        if size != other.size { return "\(other.size) bytes then, \(size) now" }
        return "modified"
    }

    public init?(recordValue: String) {
        let parts = recordValue.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 4, let device = UInt64(parts[0]), let inode = UInt64(parts[1]),
              let size = Int64(parts[2]), let modified = Int64(parts[3]) else { return nil }
        self.device = device
        self.inode = inode
        self.size = size
        modifiedNanoseconds = modified
    }
}
