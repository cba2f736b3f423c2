import Foundation

/// A fresh folder under the system's temp dir, removed (even if a test locked parts of it) when the value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init() throws {
        var template = Array(((NSTemporaryDirectory() as NSString).appendingPathComponent("spaces-tests.XXXXXX")).utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit {
        _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+rwx", path]).waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes `contents` (by default the first bytes of a JPEG) to `rel`, creating folders as needed.
    @discardableResult
    public func write(_ rel: String, _ contents: Data = Data([0xFF, 0xD8, 0xFF, 0xE0])) throws -> String {
        let file = try prepare(rel)
        try contents.write(to: URL(fileURLWithPath: file))
        return file
    }

    @discardableResult
    public func copy(_ source: String, to rel: String) throws -> String {
        let file = try prepare(rel)
        try FileManager.default.copyItem(atPath: source, toPath: file)
        return file
    }

    private func prepare(_ rel: String) throws -> String {
        let file = path + "/" + rel
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        return file
    }
}
