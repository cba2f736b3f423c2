import FoundationEssentials
import Glibc

/// Merges a `.env` file with the process environment (the environment wins) and resolves a `SpacesConfig`.
public enum ConfigLoader {
    /// - Parameters:
    ///   - envFile: an explicit `--env-file`; it must exist. Without it `./.env` is read when present.
    ///   - warn: receives one-line warnings (ignored lines, a file readable by other users).
    public static func load(
        envFile: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        warn: (String) -> Void
    ) throws(ConfigError) -> SpacesConfig {
        var merged: [String: String] = [:]
        let path = envFile ?? ".env"
        if FileManager.default.fileExists(atPath: path) {
            merged = try readEnvFile(path, warn: warn)
        } else if envFile != nil {
            throw .envFileNotFound(path)
        }
        for (key, value) in environment where key.hasPrefix("SPACES_") && !value.isEmpty {
            merged[key] = value
        }
        do {
            return try SpacesConfig.resolve(merged)
        } catch .missingVariables(let names) where envFile == nil && !FileManager.default.fileExists(atPath: path) {
            throw .missingVariablesNoEnvFile(names, folder: FileManager.default.currentDirectoryPath)
        }
    }

    static func readEnvFile(_ path: String, warn: (String) -> Void) throws(ConfigError) -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .envFileUnreadable(path, ((error as? CocoaError)?.underlying as? POSIXError).map { String(cString: strerror($0.code.rawValue)) } ?? "not readable UTF-8 text")
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o044 != 0 {
            warn("\(path) is readable by other users; it holds a secret key (chmod 600 \(path))")
        }
        let parsed = DotEnv.parse(text)
        for line in parsed.ignoredLines {
            warn("\(path):\(line): not a KEY=VALUE line; ignored")
        }
        return parsed.values
    }
}
