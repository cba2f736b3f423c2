import Common
import Foundation

/// A stopgap until the record carries its list of thumbnails: a record's `extra_thumbnails` field,
/// `[{"key": K, "box": "400x600", "format": "jpeg", "quality": 85}, ...]`, asks for more thumbnails beside its
/// `thumbnail_key`. They are made from the same decode (`Thumbnailer.render(path:specs:)`), written beside
/// the main one, and each item gains `"path"` and `"size"`.
extension ThumbnailStage {
    struct ExtraThumbnail: Codable, Equatable {
        var key: String
        var box: String
        var format: String
        var quality: Int?
        var path: String?
        var size: Int64?

        /// The spec this item asks for, or why it is not one.
        func spec() throws(Failure) -> ThumbnailSpec {
            let item = box + "." + format + (quality.map { ":\($0)" } ?? "")
            switch ThumbnailSpec.parse(item) {
            case .success(let spec): return spec
            case .failure(let error): throw .record("extra_thumbnails: \(error)")
            }
        }
    }

    /// The record's `extra_thumbnails`, or none.
    func extraThumbnails(of record: ImageRecord) throws(Failure) -> [ExtraThumbnail] {
        guard let field = record.otherFields.first(where: { $0.name == "extra_thumbnails" }) else { return [] }
        do {
            return try JSONDecoder().decode([ExtraThumbnail].self, from: Data(field.value))
        } catch {
            throw .record("extra_thumbnails is not a list of {\"key\", \"box\", \"format\", \"quality\"}")
        }
    }

    /// Writes each extra thumbnail and records its path and size in the record's `extra_thumbnails`.
    func writeExtras(_ made: [Data], for extras: [ExtraThumbnail], of record: inout ImageRecord) throws(Failure) {
        var written = extras
        for index in written.indices {
            let spec = try written[index].spec()
            let file = directory + "/" + Self.fileName(key: written[index].key, path: record.path, format: spec.format)
            do {
                try Self.writeAtomically(made[index], to: file)
            } catch {
                throw .file(error)
            }
            written[index].path = file
            written[index].size = Int64(made[index].count)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let value = try? encoder.encode(written),
              let index = record.otherFields.firstIndex(where: { $0.name == "extra_thumbnails" }) else { return }
        record.otherFields[index].value = [UInt8](value)
    }
}
