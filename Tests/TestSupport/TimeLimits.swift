import Foundation
import Testing

/// Every suite has a time limit, so that a hang fails within minutes, with the test's name, and never uses up
/// CI's time. Swift Testing's limit counts whole minutes and cannot stop a thread that waits for a process, so
/// every wait for a child process is bounded too (`Process.waitUntilExit(within:)`, `Shell.run`'s limit).
extension Trait where Self == TimeLimitTrait {
    /// Unit tests: each well under a second; the limit only catches a hang.
    public static var unitTimeLimit: Self { .timeLimit(.minutes(2)) }
    /// Tests that start servers, pipelines and rigs: the slowest takes about a minute.
    public static var integrationTimeLimit: Self { .timeLimit(.minutes(4)) }
}

extension Process {
    /// Waits for the process at most `seconds`; past that it records an issue naming `what` (at the caller's
    /// line), kills the process's group (Foundation makes each child the leader of a new one: the whole
    /// pipeline it started), and waits for it to end. Returns whether it ended in time.
    @discardableResult
    public func waitUntilExit(within seconds: Double, _ what: @autoclosure () -> String = "a process",
                              sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { usleep(20_000) }
        guard isRunning else { waitUntilExit(); return true }
        Issue.record("still running after \(Int(seconds)) s, killed: \(what())", sourceLocation: sourceLocation)
        kill(-processIdentifier, SIGKILL)
        kill(processIdentifier, SIGKILL)
        waitUntilExit()
        return false
    }
}
