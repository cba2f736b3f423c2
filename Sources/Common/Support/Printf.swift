import Glibc

/// C's printf formats (`%.3f`, `%02X`, `%o`), for the few messages that need them: FoundationEssentials, which
/// the commands use instead of Foundation, has no `String(format:)`.
public enum Printf {
    public static func string(_ format: String, _ arguments: CVarArg...) -> String {
        var size = 64
        while true {
            var buffer = [CChar](repeating: 0, count: size)
            let needed = withVaList(arguments) { vsnprintf(&buffer, size, format, $0) }
            guard needed >= size else { return needed < 0 ? format : buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
            size = Int(needed) + 1
        }
    }
}
