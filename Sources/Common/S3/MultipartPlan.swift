/// How one file is cut into the parts of a multipart upload: every part `partSize` bytes but the last, numbered
/// from 1. The part size is the one asked for unless the file would then need more than 10,000 parts; then it
/// grows to the smallest whole number of MiB that fits the file in 10,000 (a 200 GiB file at 16 MiB parts
/// would need 12,800: it goes in parts of 21 MiB).
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html
public struct MultipartPlan: Sendable, Equatable {
    public struct Part: Sendable, Equatable {
        /// 1 to 10,000: the `partNumber` of its UploadPart request.
        public var number: Int
        public var offset: Int64
        public var length: Int64
    }

    public let size: Int64
    public let partSize: Int64
    public var partCount: Int { size == 0 ? 1 : Int((size + partSize - 1) / partSize) }

    /// - Throws: `S3Error.tooLarge` for a file over the 5 TiB that S3 allows for one object.
    public init(size: Int64, partSize preferred: Int64) throws(S3Error) {
        guard size <= MultipartSettings.maximumObjectSize else {
            throw .tooLarge("\(ByteSize.describe(size)) is over the 5 TiB that S3 and Spaces allow for one object")
        }
        self.size = size
        var partSize = max(preferred, MultipartSettings.minimumPartSize)
        let maximum = Int64(MultipartSettings.maximumParts)
        if (size + partSize - 1) / partSize > maximum {
            let needed = (size + maximum - 1) / maximum
            let mebibyte = MultipartSettings.mebibyte
            partSize = (needed + mebibyte - 1) / mebibyte * mebibyte
        }
        self.partSize = min(partSize, MultipartSettings.maximumPartSize)
    }

    /// The part numbered `number` (1-based).
    public func part(_ number: Int) -> Part {
        let offset = Int64(number - 1) * partSize
        return Part(number: number, offset: offset, length: min(partSize, size - offset))
    }

    public var parts: [Part] { (1...partCount).map(part) }
}
