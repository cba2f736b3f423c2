/// Whether a prune may go ahead: the one place that decides it, for `spaces-exists --removed` and so for
/// `upload-images --delete-removed` and the bare pipeline alike. A prune reads "gone from the folder" as
/// "delete it", and an empty, unmounted or half-mounted folder looks exactly like a folder whose images were
/// deleted, so:
/// - a scan that found no image never prunes, whatever `--max-delete` says;
/// - without `--max-delete`, a prune of more than `defaultLimit` objects, or of more than half of the objects in
///   the pruned folders, is refused;
/// - `--max-delete N`, given, replaces both: at most N objects.
public struct PruneGuard: Sendable, Equatable {
    public static let defaultLimit = 100
    public static let maxDeleteRange = 0...9_999_999

    /// `--max-delete`, when it was given.
    public var maxDelete: Int?

    public init(maxDelete: Int? = nil) { self.maxDelete = maxDelete }

    /// Why the prune is refused, or nil when it may go ahead.
    /// - Parameters:
    ///   - removing: objects the prune would delete;
    ///   - present: objects in the pruned folders (`PREFIX/original/` and the thumbnail folders), removals included;
    ///   - scannedImages: images the scan found (records with a key, of any status).
    public func refusal(removing: Int, present: Int, scannedImages: Int) -> String? {
        guard removing > 0 else { return nil }
        if scannedImages == 0 {
            return "the scan found no image, and would prune \(count(removing)): an empty or unmounted folder looks like one whose images were all deleted; nothing is pruned after a scan that finds nothing"
        }
        if let maxDelete {
            guard removing > maxDelete else { return nil }
            return "it would delete \(count(removing)), more than --max-delete \(maxDelete)"
        }
        if removing > Self.defaultLimit {
            return "it would delete \(count(removing)), more than \(Self.defaultLimit) (the limit without --max-delete); if the folder scanned is the whole folder that was uploaded (not a part of it, not a drive that is not mounted), give --max-delete \(removing)"
        }
        if removing * 2 > present {
            return "it would delete \(count(removing)) of the \(present) in the bucket's folders, more than half (the limit without --max-delete); if the folder scanned is the whole folder that was uploaded, give --max-delete \(removing)"
        }
        return nil
    }

    private func count(_ n: Int) -> String { n == 1 ? "1 object" : "\(n) objects" }
}
