/// Undoes the damage to a JPEG that libjpeg only warns about and that leaves every pixel as it was, so that a
/// photo with such a blemish is not refused under `--fail-on warning`:
///
/// - junk bytes between two marker segments before the first scan, which libjpeg skips with
///   `Corrupt JPEG data: N extraneous bytes before marker 0xXX` (JWRN_EXTRANEOUS_DATA in jdmarker.c);
/// - a JFIF APP0 segment whose major version is not 1, which libjpeg reads anyway after
///   `unknown JFIF revision number` (JWRN_JFIF_MAJOR).
///
/// The repaired bytes are what the file would hold without the blemish: decoded with the strictest level,
/// they give exactly the picture of a clean copy, and any other damage (corrupt or cut scan data) still fails.
/// https://www.w3.org/Graphics/JPEG/itu-t81.pdf (B.1.1.2 markers, B.2.4 table-specification syntax)
enum JPEGRepair {
    /// The bytes with the harmless damage undone, or nil when there is nothing to undo or the marker
    /// structure before the first scan cannot be followed.
    static func repaired(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count > 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return nil }
        var out: [UInt8] = [0xFF, 0xD8]
        out.reserveCapacity(bytes.count)
        var index = 2
        var changed = false
        while index + 1 < bytes.count {
            guard bytes[index] == 0xFF else {
                guard let next = bytes[index...].firstIndex(of: 0xFF) else { return nil }
                index = next
                changed = true
                continue
            }
            // Fill bytes (0xFF runs) before a marker are allowed and need no repair.
            if bytes[index + 1] == 0xFF {
                index += 1
                continue
            }
            let marker = bytes[index + 1]
            if marker == 0xDA {
                out.append(contentsOf: bytes[index...])
                return changed ? out : nil
            }
            guard marker != 0x00, marker != 0xD8, marker != 0xD9, !(0xD0...0xD7).contains(marker),
                  index + 4 <= bytes.count else { return nil }
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            guard length >= 2, index + 2 + length <= bytes.count else { return nil }
            var segment = Array(bytes[index..<index + 2 + length])
            if marker == 0xE0, length >= 8, segment[4...8].elementsEqual("JFIF\0".utf8), segment[9] != 1 {
                segment[9] = 1
                changed = true
            }
            out.append(contentsOf: segment)
            index += 2 + length
        }
        return nil
    }
}
