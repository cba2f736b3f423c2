import FoundationEssentials

/// Reads a record line in one pass over its bytes, for the lines every stage reads by the million: JSONDecoder's
/// generic machinery cost a fifth of `spaces-exists`' CPU per image.
///
/// It takes only a plain record: an object of known fields (`ImageRecord.CodingKeys`), each once, with strings,
/// whole numbers without fraction or exponent, `true`/`false`, and `extra_thumbnails` as an array of objects of
/// their own known fields. For anything else (a field it does not know, a null, `1.0`, a `\u` surrogate, a
/// duplicate, text that is not JSON) it answers nil and `RecordCoding.decode` asks JSONDecoder, which gives the
/// record or the error: so what it answers is always what JSONDecoder would have.
/// https://www.rfc-editor.org/rfc/rfc8259 (sections 2 to 7)
struct RecordScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// The record `line` holds, or nil when only JSONDecoder can tell.
    static func record(in line: Data) -> ImageRecord? {
        line.withUnsafeBytes { raw in
            var scanner = RecordScanner(raw.bindMemory(to: UInt8.self))
            guard let record = scanner.record(), scanner.atEnd() else { return nil }
            return record
        }
    }

    private static let recordFields = ImageRecord.CodingKeys.allCases.map { (name: Array($0.stringValue.utf8), key: $0) }
    private static let extraFields = ImageRecord.ExtraThumbnail.CodingKeys.allCases.map { (name: Array($0.stringValue.utf8), key: $0) }
    /// The members a record, and an extra thumbnail, cannot be without (as `seen` marks them).
    private static let recordRequired = bit(for: .path, in: recordFields) | bit(for: .rel, in: recordFields)
    private static let extraRequired = bit(for: .key, in: extraFields) | bit(for: .spec, in: extraFields)

    private mutating func record() -> ImageRecord? {
        var record = ImageRecord(path: "", rel: "")
        var seen: UInt64 = 0
        let ok = members(of: Self.recordFields, seen: &seen) { (scanner: inout RecordScanner, key: ImageRecord.CodingKeys) -> Bool in
            scanner.read(key, into: &record)
        }
        return ok && seen & Self.recordRequired == Self.recordRequired ? record : nil
    }

    private mutating func read(_ key: ImageRecord.CodingKeys, into record: inout ImageRecord) -> Bool {
        switch key {
        case .path: return string().map { record.path = $0 } != nil
        case .rel: return string().map { record.rel = $0 } != nil
        case .size: return integer().map { record.size = $0 } != nil
        case .mtime: return integer().map { record.mtime = $0 } != nil
        case .key: return string().map { record.key = $0 } != nil
        case .status: return string().flatMap(ImageRecord.Status.init(rawValue:)).map { record.status = $0 } != nil
        case .error: return string().map { record.error = $0 } != nil
        case .reason: return string().map { record.reason = $0 } != nil
        case .etag: return string().map { record.etag = $0 } != nil
        case .url: return string().map { record.url = $0 } != nil
        case .download: return string().map { record.download = $0 } != nil
        case .fromBucket: return boolean().map { record.fromBucket = $0 } != nil
        case .thumbnailKey: return string().map { record.thumbnailKey = $0 } != nil
        case .thumbnailPath: return string().map { record.thumbnailPath = $0 } != nil
        case .thumbnailSize: return integer().map { record.thumbnailSize = $0 } != nil
        case .thumbnailSource: return string().map { record.thumbnailSource = $0 } != nil
        case .contentType: return string().map { record.contentType = $0 } != nil
        case .thumbnailEtag: return string().map { record.thumbnailEtag = $0 } != nil
        case .thumbnailUrl: return string().map { record.thumbnailUrl = $0 } != nil
        case .thumbnailSpec: return string().map { record.thumbnailSpec = $0 } != nil
        case .extraThumbnails: return extraThumbnails().map { record.extraThumbnails = $0 } != nil
        case .presignedUrl: return string().map { record.presignedUrl = $0 } != nil
        case .presignedThumbnailUrl: return string().map { record.presignedThumbnailUrl = $0 } != nil
        case .presignedExpires: return string().map { record.presignedExpires = $0 } != nil
        }
    }

    private mutating func extraThumbnails() -> [ImageRecord.ExtraThumbnail]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var extras: [ImageRecord.ExtraThumbnail] = []
        skipSpace()
        if take(UInt8(ascii: "]")) { return extras }
        repeat {
            skipSpace()
            var extra = ImageRecord.ExtraThumbnail(key: "", spec: "")
            var seen: UInt64 = 0
            let ok = members(of: Self.extraFields, seen: &seen) { (scanner: inout RecordScanner, key: ImageRecord.ExtraThumbnail.CodingKeys) -> Bool in
                switch key {
                case .key: return scanner.string().map { extra.key = $0 } != nil
                case .spec: return scanner.string().map { extra.spec = $0 } != nil
                case .path: return scanner.string().map { extra.path = $0 } != nil
                case .size: return scanner.integer().map { extra.size = $0 } != nil
                case .etag: return scanner.string().map { extra.etag = $0 } != nil
                case .url: return scanner.string().map { extra.url = $0 } != nil
                case .presignedUrl: return scanner.string().map { extra.presignedUrl = $0 } != nil
                }
            }
            guard ok, seen & Self.extraRequired == Self.extraRequired else { return nil }
            extras.append(extra)
            skipSpace()
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? extras : nil
    }

    /// An object whose every member is one of `fields`, each at most once (`seen` marks them), its value read by
    /// `value`; false at anything else.
    private mutating func members<Key: Equatable>(of fields: [(name: [UInt8], key: Key)], seen: inout UInt64,
                                                  value: (inout RecordScanner, Key) -> Bool) -> Bool {
        skipSpace()
        guard take(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            skipSpace()
            guard let field = name(among: fields), seen & (1 << field) == 0 else { return false }
            seen |= 1 << field
            skipSpace()
            guard take(UInt8(ascii: ":")) else { return false }
            skipSpace()
            guard value(&self, fields[field].key) else { return false }
            skipSpace()
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    private static func bit<Key: Equatable>(for key: Key, in fields: [(name: [UInt8], key: Key)]) -> UInt64 {
        fields.firstIndex { $0.key == key }.map { 1 << $0 } ?? 0
    }

    /// The index in `fields` of the member name here, written without escapes.
    private mutating func name<Key>(among fields: [(name: [UInt8], key: Key)]) -> Int? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\") { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
        let name = UnsafeBufferPointer(rebasing: bytes[start..<index])
        index += 1
        return fields.firstIndex { $0.name.count == name.count && $0.name.elementsEqual(name) }
    }

    /// A string value: valid UTF-8, no raw control characters, escapes other than `\u` surrogates decoded.
    private mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return String(validating: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") { return escapedString(from: start) }
            guard byte >= 0x20 else { return nil }
            index += 1
        }
        return nil
    }

    /// The rest of a string that holds an escape, from its first byte at `start`.
    private mutating func escapedString(from start: Int) -> String? {
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(validating: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { return nil }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = unicodeEscape() else { return nil }
                    UTF8.encode(scalar) { out.append($0) }
                default: return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                out.append(byte)
            }
        }
        return nil
    }

    /// The scalar of `\uXXXX` (after its `u`); nil for a surrogate, which JSONDecoder pairs (or refuses).
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return Unicode.Scalar(value)
    }

    /// A whole number as JSON writes one (`0`, `-12`; no leading zero, fraction or exponent) that fits an Int64.
    private mutating func integer() -> Int64? {
        let negative = take(UInt8(ascii: "-"))
        let start = index
        var value: Int64 = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let digit = Int64(bytes[index] - UInt8(ascii: "0"))
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowed) = negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow, !overflowed else { return nil }
            value = sum
            index += 1
        }
        let digits = index - start
        guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0"), !(negative && value == 0), endsValue() else { return nil }
        return value
    }

    private mutating func boolean() -> Bool? {
        let value: Bool
        if bytes[index...].starts(with: "true".utf8) {
            (value, index) = (true, index + 4)
        } else if bytes[index...].starts(with: "false".utf8) {
            (value, index) = (false, index + 5)
        } else {
            return nil
        }
        return endsValue() ? value : nil
    }

    /// Whether a number or literal ends here (a `1.5` or `truex` does not).
    private func endsValue() -> Bool {
        guard index < bytes.count else { return true }
        switch bytes[index] {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D: return true
        default: return false
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 || bytes[index] == 0x0A || bytes[index] == 0x0D { index += 1 }
    }

    /// Nothing but whitespace after the record.
    private mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }
}
