import TestSupport
import Testing
@testable import Common

/// How files are cut into parts, and the options that say how: no file, no server.
@Suite(.unitTimeLimit) struct MultipartPlanTests {
    let mebibyte = MultipartSettings.mebibyte

    @Test func everyPartButTheLastHasThePartSizeAndTheyCoverTheFileInOrder() throws {
        let plan = try MultipartPlan(size: 40 * mebibyte + 123, partSize: 16 * mebibyte)
        #expect(plan.partCount == 3)
        #expect(plan.parts.map(\.number) == [1, 2, 3])
        #expect(plan.parts.map(\.offset) == [0, 16 * mebibyte, 32 * mebibyte])
        #expect(plan.parts.map(\.length) == [16 * mebibyte, 16 * mebibyte, 8 * mebibyte + 123])
        #expect(plan.parts.map(\.length).reduce(0, +) == plan.size)
    }

    @Test func aFileOfWholePartsHasNoEmptyLastPart() throws {
        let plan = try MultipartPlan(size: 64 * mebibyte, partSize: 16 * mebibyte)
        #expect(plan.parts.map(\.length) == Array(repeating: 16 * mebibyte, count: 4))
        let one = try MultipartPlan(size: 3, partSize: 16 * mebibyte)
        #expect(one.parts == [MultipartPlan.Part(number: 1, offset: 0, length: 3)])
    }

    /// 10,000 parts at most: a file that would need more gets parts of the smallest whole number of MiB that fits.
    @Test func thePartSizeGrowsSoThatNoFileNeedsMoreThanTenThousandParts() throws {
        let exactly = try MultipartPlan(size: 10_000 * 16 * mebibyte, partSize: 16 * mebibyte)
        #expect(exactly.partSize == 16 * mebibyte && exactly.partCount == 10_000)
        let oneMore = try MultipartPlan(size: 10_000 * 16 * mebibyte + 1, partSize: 16 * mebibyte)
        #expect(oneMore.partSize == 17 * mebibyte && oneMore.partCount == 9_412)
        let gib200 = try MultipartPlan(size: 200 * 1024 * mebibyte, partSize: 16 * mebibyte)
        #expect(gib200.partSize == 21 * mebibyte && gib200.partCount == 9_753)
        // 5 TiB, S3's largest object, in 9,987 parts of 525 MiB (the last one shorter).
        let largest = try MultipartPlan(size: MultipartSettings.maximumObjectSize, partSize: 5 * mebibyte)
        #expect(largest.partSize == 525 * mebibyte && largest.partCount == 9_987)
        let last = largest.part(largest.partCount)
        #expect(last.offset + last.length == largest.size && last.length <= largest.partSize)
    }

    @Test func partsAreNeverSmallerThanFiveMiB() throws {
        #expect(try MultipartPlan(size: 100 * mebibyte, partSize: 1).partSize == 5 * mebibyte)
    }

    @Test func aFileOverFiveTiBIsRefused() {
        #expect(throws: S3Error.self) { try MultipartPlan(size: MultipartSettings.maximumObjectSize + 1, partSize: 16 * mebibyte) }
    }

    @Test func theOptionsTakeSizesAsCurlDoesWithinS3sLimits() throws {
        let defaults = try MultipartSettings(threshold: nil, partSize: nil, concurrency: nil)
        #expect(defaults == MultipartSettings(threshold: 64 * mebibyte, partSize: 16 * mebibyte, concurrency: 10))
        let set = try MultipartSettings(threshold: "5M", partSize: "1.5G", concurrency: 10)
        #expect(set.threshold == 5 * mebibyte && set.partSize == 1536 * mebibyte && set.concurrency == 10)
        #expect(set.usesParts(size: 5 * mebibyte + 1) && !set.usesParts(size: 5 * mebibyte))
        #expect(try MultipartSettings(threshold: "5368709120", partSize: "5g", concurrency: 1).threshold == 5 << 30)
        for bad in ["4M", "5.1G", "16MB", "-5M", "1e9", " 64M", "", "M"] {
            #expect(throws: MultipartSettings.Problem.self, "\(bad)") { try MultipartSettings(threshold: bad, partSize: nil, concurrency: nil) }
            #expect(throws: MultipartSettings.Problem.self, "\(bad)") { try MultipartSettings(threshold: nil, partSize: bad, concurrency: nil) }
        }
        for bad in [0, 11, -1] {
            #expect(throws: MultipartSettings.Problem.self) { try MultipartSettings(threshold: nil, partSize: nil, concurrency: bad) }
        }
    }

    @Test func sizesReadAsPeopleReadThem() {
        #expect(ByteSize.describe(16 * mebibyte) == "16 MiB")
        #expect(ByteSize.describe(1536 * mebibyte) == "1.5 GiB")
        #expect(ByteSize.describe(512) == "512 bytes")
        #expect(ByteSize.parse("500K") == 512_000 && ByteSize.parse("0.5k") == 512 && ByteSize.parse("7") == 7)
    }
}
