/// Why an image gets no thumbnail, worded for a record's `error` and for stderr.
public enum ImagingError: Error, CustomStringConvertible, Equatable, Sendable {
    case empty
    /// The path names a FIFO, a folder, a device...: "a FIFO".
    case notRegularFile(String)
    case unsupported(String)
    case unreadable(String)
    case tooLarge(width: Int, height: Int, limit: Int64)
    case decode(String)
    /// The thumbnail could not be encoded in its format ("AVIF"), and why.
    case encode(format: String, why: String)
    case setup(String)

    /// The file is an image of an accepted type whose header or data the decoder refused.
    var isDamage: Bool {
        switch self {
        case .unreadable, .decode: return true
        case .empty, .notRegularFile, .unsupported, .tooLarge, .encode, .setup: return false
        }
    }

    /// The file's own bytes are the cause (empty, not an image, a header or data the decoder refused): trying
    /// the same file again gives the same answer. Not a limit of ours, nor a failure of the encoder or libvips.
    public var isBrokenFile: Bool {
        switch self {
        case .empty, .unsupported, .unreadable, .decode: return true
        case .notRegularFile, .tooLarge, .encode, .setup: return false
        }
    }

    public var description: String {
        switch self {
        case .empty:
            return "file is empty"
        case .notRegularFile(let kind):
            return "not a regular file (\(kind))"
        case .unsupported(let what):
            return "not a supported image (\(what)); accepted: JPEG, PNG, WebP, GIF, BMP, TIFF, HEIC/HEIF, AVIF, JPEG XL"
        case .unreadable(let why):
            return "cannot read image header: \(why)"
        case .tooLarge(let width, let height, let limit):
            return "image is \(width)x\(height) (\(Int64(width) * Int64(height) / 1_000_000) MP), over the \(limit / 1_000_000) MP limit (--max-pixels)"
        case .decode(let why):
            return "damaged or unreadable image data: \(why)"
        case .encode(let format, let why):
            return "cannot encode the thumbnail as \(format): \(why)"
        case .setup(let why):
            return "cannot start libvips: \(why)"
        }
    }
}
