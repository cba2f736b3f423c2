import Foundation

/// A fresh folder under the system's temp dir, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array(((NSTemporaryDirectory() as NSString).appendingPathComponent("common-tests.XXXXXX")).utf8CString)
        guard let made = mkdtemp(&template) else { throw CocoaError(.fileWriteUnknown) }
        path = String(cString: made)
    }

    deinit {
        // Make anything a test locked readable again so it can be removed.
        _ = try? Process.run(URL(fileURLWithPath: "/bin/chmod"), arguments: ["-R", "u+rwx", path]).waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }

    @discardableResult
    func write(_ rel: String, _ contents: Data = Data([0xFF, 0xD8, 0xFF, 0xE0])) throws -> String {
        let file = path + "/" + rel
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try contents.write(to: URL(fileURLWithPath: file))
        return file
    }
}
