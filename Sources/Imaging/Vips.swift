import CVips
import Common
import FoundationEssentials
import Glibc

/// libvips for this process: started once, with the operation cache off (every image is seen once, so
/// caching only holds memory) and a chosen number of worker threads.
public enum Vips {
    private static let started: String? = {
        // glibc gives each thread that allocates an arena of its own, up to eight per core, and keeps what each
        // arena grew to: with libvips' worker threads a pass over the test corpus peaked anywhere from 124 to
        // 155 MB. Two arenas hold it at 109-120 MB, at the same speed (the threads spend their time on pixels).
        _ = mallopt(M_ARENA_MAX, 2)
        // Each small image allocates and frees a few blocks of a few hundred KB (a decode, a region, a copy):
        // from mmap, or from a heap trimmed back after each, every page was faulted in anew, 160 faults and
        // about 0.25 ms of CPU per 400x400 avatar. Blocks under 2 MB come from the heap, which keeps up to 8 MB
        // free at its top: 12 faults per avatar, and a pass over the corpus peaks as before (108-120 MB).
        _ = mallopt(M_MMAP_THRESHOLD, 2 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 8 << 20)
        guard vips_init("img-thumb") == 0 else { return takeError() }
        // Loaders report some damage only as GLib warnings ("IHDR: CRC error"): keep them off stderr and
        // use the latest as the reason when libvips' error buffer is empty.
        let levels = GLogLevelFlags(rawValue: G_LOG_LEVEL_WARNING.rawValue | G_LOG_LEVEL_MESSAGE.rawValue)
        g_log_set_handler("VIPS", levels, { _, _, message, _ in
            if let message { Vips.warnings.record(String(cString: message)) }
        }, nil)
        vips_cache_set_max(0)
        return nil
    }()

    /// Starts libvips (once) and sets its thread pool size: 1 suits processes run side by side under `xargs -P`.
    public static func start(threads: Int) throws(ImagingError) {
        if let failure = started { throw .setup(failure) }
        vips_concurrency_set(Int32(threads))
    }

    public static var version: String { String(cString: vips_version_string()) }

    static let warnings = WarningLog()

    /// Forgets earlier errors and warnings, before work on a new image.
    static func clearErrors() {
        vips_error_clear()
        _ = warnings.take()
    }

    /// Copies libvips' error buffer (or, when it is empty, the latest warning) as one line and clears both.
    static func takeError() -> String {
        var text = String(cString: vips_error_buffer())
        vips_error_clear()
        let warning = warnings.take()
        if text.allSatisfy(\.isWhitespace) { text = warning ?? "" }
        let lines = text.split(separator: "\n").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        var unique: [String] = []
        for line in lines where !unique.contains(line) { unique.append(line) }
        return unique.isEmpty ? "libvips gave no reason" : unique.joined(separator: "; ")
    }
}

/// One reference to a `VipsImage`, released when this goes away.
final class VipsImageRef {
    let pointer: UnsafeMutablePointer<VipsImage>

    init(_ pointer: UnsafeMutablePointer<VipsImage>) { self.pointer = pointer }

    deinit { g_object_unref(pointer) }

    var width: Int { Int(vips_image_get_width(pointer)) }
    var height: Int { Int(vips_image_get_height(pointer)) }
    var bands: Int { Int(vips_image_get_bands(pointer)) }
    var hasAlpha: Bool { vips_image_hasalpha(pointer) != 0 }
    var interpretation: VipsInterpretation { vips_image_get_interpretation(pointer) }
    var format: VipsBandFormat { vips_image_get_format(pointer) }

    /// The loader that opened the image (`jpegload`, `magickload`, ...), from its `vips-loader` field.
    var loader: String? {
        var value: UnsafePointer<CChar>?
        guard vips_image_get_string(pointer, "vips-loader", &value) == 0, let value else {
            vips_error_clear()
            return nil
        }
        return String(cString: value)
    }

    /// The image computed into memory (`vips_image_copy_memory`): its pipeline runs once, however often the
    /// copy is read. One `computedHere()` is already, and stays as it is.
    func inMemory() throws(ImagingError) -> VipsImageRef {
        if isComputed { return self }
        guard let copy = vips_image_copy_memory(pointer) else { throw .decode(Vips.takeError()) }
        return VipsImageRef(copy)
    }

    /// Whether this image was made by `computedHere()`: its pixels lie in memory in one block, top row first.
    private(set) var isComputed = false

    /// The image computed into memory on this thread: one region over all of it, prepared here
    /// (`vips_region_fetch`). `inMemory()` and the savers have libvips' worker threads compute it strip by
    /// strip, handing each on through semaphores (about 170 futex calls per avatar): for a small thumbnail,
    /// which one thread computes at once, that is work for nothing.
    /// https://www.libvips.org/API/current/VipsRegion.html#vips-region-fetch
    func computedHere() throws(ImagingError) -> VipsImageRef {
        guard let region = vips_region_new(pointer) else { throw .decode(Vips.takeError()) }
        defer { g_object_unref(region) }
        var length = 0
        guard let pixels = vips_region_fetch(region, 0, 0, Int32(width), Int32(height), &length) else {
            throw .decode(Vips.takeError())
        }
        defer { g_free(pixels) }
        guard let copy = vips_image_new_from_memory_copy(pixels, length, Int32(width), Int32(height), Int32(bands), format) else {
            throw .decode(Vips.takeError())
        }
        copy.pointee.Type = interpretation
        let computed = VipsImageRef(copy)
        computed.isComputed = true
        return computed
    }

    /// Runs an operation that makes a new image from this one; on failure, libvips' reason.
    func apply(_ operation: (UnsafeMutablePointer<VipsImage>, UnsafeMutablePointer<UnsafeMutablePointer<VipsImage>?>) -> Int32)
        throws(ImagingError) -> VipsImageRef {
        var out: UnsafeMutablePointer<VipsImage>?
        guard operation(pointer, &out) == 0, let out else { throw .decode(Vips.takeError()) }
        return VipsImageRef(out)
    }
}

/// The latest warning libvips logged, from whichever thread logged it.
final class WarningLog: @unchecked Sendable {
    private let lock = Lock()
    private var last: String?

    func record(_ message: String) {
        lock.lock()
        last = message
        lock.unlock()
    }

    func take() -> String? {
        lock.lock()
        defer { last = nil; lock.unlock() }
        return last
    }
}
