/// Percent-encoding as S3's SigV4 canonical request requires it:
/// every byte of the UTF-8 form except `A-Z a-z 0-9 - . _ ~` becomes `%XX` with uppercase hex.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (URI-encode rules)
public enum URIEncoding {
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Encodes `value`; `/` is kept when `keepSlash` is true (object key paths), encoded otherwise (query values).
    public static func encode(_ value: String, keepSlash: Bool) -> String {
        var bytes: [UInt8] = []
        appendEncoded(value, keepSlash: keepSlash, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `encode` onto the end of `bytes` (a URL being built, without a string for each of its parts).
    static func appendEncoded(_ value: String, keepSlash: Bool, to bytes: inout [UInt8]) {
        bytes.reserveCapacity(bytes.count + value.utf8.count)
        for byte in value.utf8 {
            if isUnreserved(byte) || (keepSlash && byte == UInt8(ascii: "/")) {
                bytes.append(byte)
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            }
        }
    }

    /// Decodes a key of a ListObjectsV2 answer asked for with `encoding-type=url`: `%XX` is the byte XX and `+` is
    /// a space, as S3 and SeaweedFS send a space (form encoding; a real `+` comes as `%2B`). Nil when a `%` is not
    /// followed by two hex digits, or the bytes are not UTF-8, which no S3 key can be.
    /// https://url.spec.whatwg.org/#application/x-www-form-urlencoded
    public static func decodeFormComponent(_ value: String) -> String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        var input = value.utf8.makeIterator()
        while let byte = input.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = input.next().flatMap(hexValue), let low = input.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        default: return nil
        }
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }
}
