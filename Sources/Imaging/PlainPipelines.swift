import CVips
import Common
import Glibc

/// The operations that make a plain JPEG's thumbnail (`Thumbnailer+PlainJPEG`), built once for each size of
/// image and box and then run again over the next image's pixels: avatars come in a few sizes, thousands of
/// each.
///
/// Building them is a fifth of an avatar's CPU in libvips 8.14: each `vips_reducev` compiles its Orc program
/// anew (about 0.4 ms), and each operation is made, its arguments set and looked up in the operation cache.
/// Here the source is a libvips image over a buffer of this pipeline's own (`vips_image_new_from_memory`, not
/// a copy); the next image's pixels are written into that buffer, `vips_image_invalidate_all` tells libvips
/// that every image made from it is stale, and the output is computed again (`computedHere`). The thumbnails
/// are the same bytes as from operations built afresh (`PlainPipelinesTests`). Measured on 300 avatars of
/// 400x400 in one process: 3.7 to 3.0 ms of CPU each.
/// https://www.libvips.org/API/current/VipsImage.html#vips-image-invalidate-all
final class PlainPipeline {
    /// What the operations were built for: the decoded image's size and the box.
    struct Shape: Hashable {
        var width: Int, height: Int, bands: Int
        var box: Thumbnailer.Box
    }

    let shape: Shape
    private let buffer: UnsafeMutableRawPointer
    /// The buffer's size in bytes.
    let length: Int
    private var source: VipsImageRef?
    private var output: VipsImageRef?

    /// Builds the operations `make` makes from the source (whose pixels are not set yet); nil when they cannot
    /// be built or `make` gives nil (the image is not plain after all: the usual way then makes it).
    init?(_ shape: Shape, make: (VipsImageRef) throws(ImagingError) -> VipsImageRef?) {
        length = shape.width * shape.height * shape.bands
        guard length > 0, let buffer = malloc(length) else { return nil }
        // Returning from `build`, the images of a build that failed are gone before the buffer is freed.
        guard let built = Self.build(over: buffer, length: length, shape, make: make) else {
            free(buffer)
            return nil
        }
        (self.shape, self.buffer, self.source, self.output) = (shape, buffer, built.source, built.output)
    }

    private static func build(over buffer: UnsafeMutableRawPointer, length: Int, _ shape: Shape,
                              make: (VipsImageRef) throws(ImagingError) -> VipsImageRef?) -> (source: VipsImageRef, output: VipsImageRef)? {
        guard let image = vips_image_new_from_memory(buffer, length, Int32(shape.width), Int32(shape.height),
                                                     Int32(shape.bands), VIPS_FORMAT_UCHAR) else {
            vips_error_clear()
            return nil
        }
        image.pointee.Type = shape.bands == 1 ? VIPS_INTERPRETATION_B_W : VIPS_INTERPRETATION_sRGB
        let source = VipsImageRef(image)
        let made = try? make(source)
        // Out of libvips' operation cache, which would keep the source alive: only this pipeline holds them.
        vips_image_invalidate_all(source.pointer)
        guard let output = made ?? nil else {
            vips_error_clear()  // not this image's failure: the usual way makes it, and says why if it fails
            return nil
        }
        return (source, output)
    }

    deinit {
        // The images go first, the buffer after: the source reads it as long as it is there.
        if let source { vips_image_invalidate_all(source.pointer) }
        output = nil
        source = nil
        free(buffer)
    }

    /// The output computed over `pixels` (`length` bytes, the shape's rows top first).
    func run(over pixels: UnsafeRawPointer) throws(ImagingError) -> VipsImageRef {
        guard let source, let output else { throw .decode("no pipeline") }
        memcpy(buffer, pixels, length)
        vips_image_invalidate_all(source.pointer)
        return try output.computedHere()
    }
}

/// The pipelines a `Thumbnailer` keeps (its copies share them), the few most recently used. One caller at a
/// time uses a pipeline: it is taken out while it runs and put back after, so two threads thumbnailing at
/// once build one each.
final class PlainPipelines: @unchecked Sendable {
    /// How many shapes are kept (each holds its decoded image's buffer: 480 KB for a 400x400 avatar).
    static let kept = 4
    /// The largest buffer kept: 4 MiB (a plain image for the default 200x300 box is at most 799x1199, 2.9 MB).
    /// A larger plain image (a photo for a box of 1920x1080) is not an avatar: its pixels cost far more than
    /// building the operations, and its buffer is not held on to.
    static let largestKept = 4 << 20

    private let lock = Lock()
    private var idle: [PlainPipeline] = []

    /// How many pipelines wait to be used again.
    var count: Int { lock.withLock { idle.count } }

    func take(_ shape: PlainPipeline.Shape) -> PlainPipeline? {
        lock.withLock {
            guard let index = idle.lastIndex(where: { $0.shape == shape }) else { return nil }
            return idle.remove(at: index)
        }
    }

    func giveBack(_ pipeline: PlainPipeline) {
        guard pipeline.length <= Self.largestKept else { return }
        let dropped: [PlainPipeline] = lock.withLock {
            idle.append(pipeline)
            guard idle.count > Self.kept else { return [] }
            let oldest = Array(idle.prefix(idle.count - Self.kept))
            idle.removeFirst(idle.count - Self.kept)
            return oldest
        }
        _ = dropped  // freed here, outside the lock
    }
}
