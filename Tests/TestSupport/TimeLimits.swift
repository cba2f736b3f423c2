// The release build (make install) compiles this target too, without the Testing module.
#if canImport(Testing)
import Foundation
import Testing

/// Every suite has a time limit, so that a hang fails within minutes, with the test's name, and never uses up
/// CI's time.
///
/// Swift Testing's own `.timeLimit` counts from the moment a test is started, including the time it then waits
/// for a thread: the tests wait for processes on the cooperative pool's threads (two on two cores), so a unit
/// test queued behind the integration tests ran out of a 2-minute limit without having run at all. This limit
/// counts the time the test case's body runs. Past it, the test's name goes to stderr and the test process
/// ends (exit 124): a body that runs that long is stuck, and nothing else could end it. Every wait for a child
/// process has a deadline of its own besides (`Process.waitUntilExit(within:)`, `Shell.run`'s limit), which
/// fails just the test that met it.
public struct RunningTimeLimit: TestTrait, SuiteTrait, TestScoping {
    public let seconds: Double

    public init(seconds: Double) { self.seconds = seconds }

    public var isRecursive: Bool { true }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> RunningTimeLimit? {
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?,
                             performing function: @Sendable () async throws -> Void) async throws {
        // `Module.Suite/test()`, without the source location Swift Testing adds to the id.
        var name = "\(test.id)"
        if let slash = name.range(of: "/", options: .backwards), name[slash.upperBound...].contains(".swift:") {
            name = String(name[..<slash.lowerBound])
        }
        let seconds = seconds
        let watchdog = DispatchWorkItem {
            let line = "error: \(name) has run for \(Int(seconds)) s, its time limit: it hangs; the test run stops here\n"
            FileHandle.standardError.write(Data(line.utf8))
            _exit(124)
        }
        // A global queue's thread, not the cooperative pool's, which the stuck test may be holding.
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: watchdog)
        let started = Date()
        defer {
            watchdog.cancel()
            Self.note(Date().timeIntervalSince(started), name, testCase: testCase)
        }
        try await function()
    }

    /// With S3TEST_TIMES set (scripts/test sets it), each test case's running time, one line `SECONDS<TAB>NAME`
    /// appended to that file: Swift Testing's own times count the wait for a thread too.
    private static func note(_ elapsed: TimeInterval, _ name: String, testCase: Test.Case?) {
        guard let path = ProcessInfo.processInfo.environment["S3TEST_TIMES"] else { return }
        let label = testCase?.isParameterized == true ? name + " (one of its cases)" : name
        let seconds = (elapsed * 100).rounded() / 100
        let line = "\(seconds)\t\(label)\n"
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        _ = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
    }
}

extension Trait where Self == RunningTimeLimit {
    /// Unit tests: each well under a second; the limit only catches a hang.
    public static var unitTimeLimit: Self { RunningTimeLimit(seconds: 120) }
    /// Tests that start servers, pipelines and rigs: the slowest runs about a minute.
    public static var integrationTimeLimit: Self { RunningTimeLimit(seconds: 300) }
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
#endif
