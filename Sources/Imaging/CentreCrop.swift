/// Where a thumbnail that fills its box comes from in an image, and whether to cut that part out before
/// scaling.
///
/// `vips_thumbnail` with a crop scales the whole image to fill the box, then keeps the middle. For a photo
/// that costs about the box. For an image of an extreme shape it does not: filling 200x300 from a 50000x1
/// strip scales it up 300 times, to a 15,000,000x300 intermediate (minutes and gigabytes), and a 1x1000000 one
/// overflows libvips' coordinates (`affine: output coordinates out of range`). Beyond `slack` pixels more than
/// the box, the part the thumbnail shows is cut out of the decoded image first (`vips_extract_area`) and only
/// that is scaled (`vips_thumbnail_image`): the same picture, at the cost of the box.
/// https://www.libvips.org/API/current/libvips-resample.html#vips-thumbnail-image
struct CentreCrop: Equatable {
    /// The image as stored, before any EXIF rotation.
    var width: Int
    var height: Int
    /// The box as the stored image sees it: width and height swapped when EXIF turns the image by 90°.
    var boxWidth: Int
    var boxHeight: Int

    /// How many pixels the scaled image may have beyond the box before the cut comes first. A 284x25 banner
    /// filling 200x300 makes 1 MP, in milliseconds; a 1x150 strip 6 MP, in a second.
    static let slack = 2_000_000.0

    /// A part of the stored image, in pixels.
    struct Region: Equatable {
        var left: Int
        var top: Int
        var width: Int
        var height: Int
    }

    init(width: Int, height: Int, boxWidth: Int, boxHeight: Int) {
        self.width = width
        self.height = height
        self.boxWidth = boxWidth
        self.boxHeight = boxHeight
    }

    /// The scale at which the image just fills the box (above 1: scaled up).
    var fillScale: Double { max(Double(boxWidth) / Double(width), Double(boxHeight) / Double(height)) }

    /// Pixels of the whole image scaled to fill the box: what scaling before cropping makes.
    var filledPixels: Double { Double(width) * fillScale * Double(height) * fillScale }

    /// True when scaling the whole image would make more than `slack` pixels beyond the box.
    var cutsFirst: Bool { filledPixels > Double(boxWidth * boxHeight) + Self.slack }

    /// The middle part of the box's shape, the whole of the image across its short side, plus a margin along
    /// its long side: there the resampling kernel (lanczos3 reducing, bicubic enlarging: 3 source pixels
    /// either side, more when reducing) sees the neighbours it would see in the whole image. Scaled to fill,
    /// it gets the whole image's scale, and its middle is the whole image's middle.
    var region: Region {
        let scale = fillScale
        let margin = Int((3 / min(scale, 1)).rounded(.up))
        if width * boxHeight > height * boxWidth {
            let length = span(shown: Double(boxWidth) / scale, margin: margin, of: width)
            return Region(left: (width - length) / 2, top: 0, width: length, height: height)
        }
        let length = span(shown: Double(boxHeight) / scale, margin: margin, of: height)
        return Region(left: 0, top: (height - length) / 2, width: width, height: length)
    }

    /// Pixels kept along the long side: those shown plus the margins, at most all, and of the same parity as
    /// all so that as many are left out on either side.
    private func span(shown: Double, margin: Int, of total: Int) -> Int {
        var length = min(total, Int(shown.rounded(.up)) + 2 * margin)
        if (total - length) % 2 != 0 { length += 1 }
        return length
    }
}
