import CVips
import Common
import Foundation
@testable import Imaging
import Synchronization
import TestSupport
import Testing

/// A plain JPEG's operations are built once for each size and run again over the next image's pixels
/// (`PlainPipelines`): every thumbnail is still its own image's, the same as `vips_thumbnail`'s steps make of
/// that file alone, whatever came before it, in any order of sizes, from two threads at once.
@Suite(.unitTimeLimit) struct PlainPipelinesTests {
    init() throws { try Vips.start(threads: 1) }

    static let box = PlainJPEGTests.box
    /// Six sizes (more than the pipelines kept), scaled down, nearly square or not, and up.
    static let sizes = [(400, 400), (300, 450), (260, 390), (640, 480), (16, 16), (401, 399)]

    /// JPEGs of each size, `each` of a size, every one different: coloured gradients and noise from a seed.
    static func jpegs(in folder: TemporaryDirectory, each: Int) throws -> [(path: String, size: (Int, Int))] {
        var made: [(String, (Int, Int))] = []
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        for round in 0..<each {
            for (index, (width, height)) in sizes.enumerated() {
                var pixels = [UInt8](repeating: 0, count: width * height * 3)
                for y in 0..<height {
                    for x in 0..<width {
                        seed = seed &* 6364136223846793005 &+ 1442695040888963407
                        let noise = Int(seed >> 59)
                        let at = (y * width + x) * 3
                        pixels[at] = UInt8(truncatingIfNeeded: x * 255 / width + noise + round * 40)
                        pixels[at + 1] = UInt8(truncatingIfNeeded: y * 255 / height + noise * 2 + index * 30)
                        pixels[at + 2] = UInt8(truncatingIfNeeded: (x + y) * 3 + noise + round * 17)
                    }
                }
                let image = try #require(pixels.withUnsafeBytes {
                    vips_image_new_from_memory_copy($0.baseAddress, $0.count, Int32(width), Int32(height), 3, VIPS_FORMAT_UCHAR)
                })
                image.pointee.Type = VIPS_INTERPRETATION_sRGB
                let ref = VipsImageRef(image)
                var buffer: UnsafeMutableRawPointer?
                var length = 0
                #expect(cvips_jpegsave_buffer(ref.pointer, &buffer, &length, 90, 1) == 0)
                let bytes = Data(bytes: try #require(buffer), count: length)
                g_free(buffer)
                made.append((try folder.write("\(index)-\(round).jpg", bytes), (width, height)))
            }
        }
        return made
    }

    /// The thumbnail by `vips_thumbnail`'s own steps from the file alone, and the one `thumbnailer` makes.
    static func both(_ path: String, _ thumbnailer: Thumbnailer) throws -> (reference: Pixels, made: Pixels) {
        let header = try thumbnailer.header(of: path, type: "image/jpeg")
        let shrink = try #require(thumbnailer.plainShrink(of: header, box: box), "\(path) is plain")
        let made = try #require(try thumbnailer.plainJPEG(path, box: box, header: header), "\(path)")
        let reference = try #require(try PlainJPEGTests.vipsThumbnail(path, shrink: shrink, movedBy: (0, 0)))
        return (try Pixels(image: reference), try Pixels(image: made))
    }

    @Test func eachThumbnailIsItsOwnImagesWhateverCameBefore() throws {
        let folder = try TemporaryDirectory()
        let files = try Self.jpegs(in: folder, each: 3)
        let thumbnailer = Thumbnailer()
        var previous: (path: String, pixels: Pixels)?
        // In the order made (each size in turn), then backwards, then one size after another.
        let order = files + files.reversed() + files.sorted { $0.path < $1.path }
        for file in order {
            let (reference, made) = try Self.both(file.path, thumbnailer)
            let same = made.bytes == reference.bytes
            #expect(same, "\(file.path) (\(file.size)): not its own thumbnail, \(made.meanDifference(reference) ?? -1) off")
            if let previous, previous.path != file.path {
                #expect(made.bytes != previous.pixels.bytes, "\(file.path): the same as the image before it")
            }
            previous = (file.path, made)
        }
        #expect(thumbnailer.pipelines.count == PlainPipelines.kept, "the most recent sizes are kept, no more")
    }

    /// A plain image much larger than an avatar (for a large box) is made the same way, but its buffer is not
    /// held on to after.
    @Test func aLargeImagesPipelineIsNotKept() throws {
        let folder = try TemporaryDirectory()
        var black: UnsafeMutablePointer<VipsImage>?
        #expect(cvips_black(&black, 1600, 1600, 3) == 0)
        let image = VipsImageRef(try #require(black))
        var buffer: UnsafeMutableRawPointer?
        var length = 0
        #expect(cvips_jpegsave_buffer(image.pointer, &buffer, &length, 90, 1) == 0)
        let path = try folder.write("large.jpg", Data(bytes: try #require(buffer), count: length))
        g_free(buffer)
        let thumbnailer = Thumbnailer(), box = Thumbnailer.Box(width: 600, height: 600)
        let header = try thumbnailer.header(of: path, type: "image/jpeg")
        #expect(thumbnailer.plainShrink(of: header, box: box) != nil, "plain for this box")
        let made = try #require(try thumbnailer.plainJPEG(path, box: box, header: header))
        #expect(made.width == 600 && made.height == 600)
        #expect(1600 * 1600 * 3 > PlainPipelines.largestKept && thumbnailer.pipelines.count == 0)
    }

    /// On two threads of their own (not tasks: the tests beside this one may hold every thread of Swift's pool).
    @Test func twoThreadsThumbnailingAtOnceEachGetTheirOwn() throws {
        let folder = try TemporaryDirectory()
        let files = try Self.jpegs(in: folder, each: 2).filter { $0.size == (400, 400) || $0.size == (300, 450) }
        let thumbnailer = Thumbnailer()
        let wrong = Mutex(0), failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            for round in 0..<6 {
                let file = files[(lane + round) % files.count]
                do {
                    let (reference, made) = try Self.both(file.path, thumbnailer)
                    if made.bytes != reference.bytes { wrong.withLock { $0 += 1 } }
                } catch {
                    failures.withLock { $0.append("\(file.path): \(error)") }
                }
            }
        }
        #expect(wrong.withLock { $0 } == 0)
        #expect(failures.withLock { $0 }.isEmpty)
        #expect((1...PlainPipelines.kept).contains(thumbnailer.pipelines.count))
    }
}
