import FoundationEssentials
import Glibc

/// SIGINT or SIGTERM asked the process to stop (Ctrl+C, `timeout`, a service manager, upload-images
/// stopping its workers). The handler only sets a flag: a transfer in flight is abandoned at its next
/// progress callback (about once a second), no new request starts, and the command writes the line of the
/// record in hand before it exits, so that no image is left uploaded without a result or reported wrongly.
public enum Interruption {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    public static var requested: Bool { flag != 0 }

    /// Installs the handler for SIGINT and SIGTERM. A second signal is handled the same way; SIGKILL still ends
    /// the process at once.
    public static func catchSignals() {
        let handler: @convention(c) (Int32) -> Void = { _ in Interruption.flag = 1 }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// The exit status of a process stopped by an interruption, as shells report SIGINT.
    public static let exitStatus: Int32 = 130
}
