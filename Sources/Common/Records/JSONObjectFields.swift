import FoundationEssentials

/// The top-level members of one JSON object, each name with its value's bytes exactly as written, so that
/// fields a stage does not know (a `user_id` joined in with jq) go on unchanged.
/// https://www.rfc-editor.org/rfc/rfc8259 (sections 4, 7)
///
/// Only for text that already parsed as a JSON object: it follows the structure, it does not validate it.
public enum JSONObjectFields {
    public struct Member: Sendable, Equatable {
        public var name: String
        /// The value's JSON text, without surrounding whitespace.
        public var value: [UInt8]

        public init(name: String, value: [UInt8]) {
            self.name = name
            self.value = value
        }
    }

    /// The members in the order written; nil when `bytes` is not an object this scanner can follow.
    public static func members(of bytes: [UInt8]) -> [Member]? {
        bytes.withUnsafeBufferPointer { bytes in
            var members: [Member] = [], named = true
            let whole = walk(bytes) { quotedName, value in
                guard let name = decodeString(quotedName) else {
                    named = false
                    return false
                }
                members.append(Member(name: name, value: Array(bytes[value])))
                return true
            }
            return whole && named ? members : nil
        }
    }

    /// The top-level member `name`'s value when it is a string, decoded; nil when there is no such member, its value
    /// is not a string, or `bytes` is not an object this scanner can follow. Allocates only the answer: for one
    /// field of many lines (a resume's 10,000 statuses), where a JSONDecoder per line costs several times as much.
    public static func string(named name: String, in bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { string(named: name, in: $0) }
    }

    /// The same, over bytes in place (a line of `WorkFile.eachLineBytes`).
    public static func string(named name: String, in bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var wanted = name
        return wanted.withUTF8 { wanted in
            var found: String?
            _ = walk(bytes) { quoted, value in
                let named = quoted.contains(UInt8(ascii: "\\")) ? decodeString(quoted).map { $0.utf8.elementsEqual(wanted) } ?? false
                    : quoted.dropFirst().dropLast().elementsEqual(wanted)
                guard named else { return true }
                found = bytes[value.lowerBound] == UInt8(ascii: "\"") ? decodeString(bytes[value]) : nil
                return false
            }
            return found
        }
    }

    /// Each top-level member of the object in `bytes`, in order: its name as written (quotes included) and its
    /// value's range, to `visit` until it returns false. False when `bytes` is not an object this scanner can
    /// follow (up to where it stopped).
    static func walk(_ bytes: UnsafeBufferPointer<UInt8>, _ visit: (_ quotedName: Slice<UnsafeBufferPointer<UInt8>>, _ value: Range<Int>) -> Bool) -> Bool {
        var index = 0
        func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return false }
        index += 1
        while true {
            skipSpace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: "}") { return true }
            if bytes[index] == UInt8(ascii: ",") { index += 1; skipSpace() }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let nameEnd = endOfString(bytes, from: index) else { return false }
            let quotedName = bytes[index..<nameEnd]
            index = nameEnd
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipSpace()
            guard let valueEnd = endOfValue(bytes, from: index) else { return false }
            guard visit(quotedName, index..<valueEnd) else { return true }
            index = valueEnd
        }
    }

    /// The index just past the string that starts (with its quote) at `start`.
    static func endOfString(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\\"): index += 2
            case UInt8(ascii: "\""): return index + 1
            default: index += 1
            }
        }
        return nil
    }

    /// The index just past the value that starts at `start`: a string, an object or array (nested to any
    /// depth, strings inside skipped whole), or a number or literal.
    static func endOfValue(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        switch bytes[start] {
        case UInt8(ascii: "\""):
            return endOfString(bytes, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    guard let end = endOfString(bytes, from: index) else { return nil }
                    index = end
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                default: break
                }
                index += 1
            }
            return nil
        default:
            var index = start
            scan: while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), 0x20, 0x09, 0x0A, 0x0D: break scan
                default: index += 1
                }
            }
            return index > start ? index : nil
        }
    }

    static func decodeString(_ quoted: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
        let inner = quoted.dropFirst().dropLast()
        if !inner.contains(UInt8(ascii: "\\")) { return String(decoding: inner, as: UTF8.self) }
        return try? JSONDecoder().decode(String.self, from: Data(quoted))
    }
}
