import Common
import FoundationEssentials
import Glibc

/// The thumbnails a record asks for: its first (`thumbnail_spec`, or img-thumb's own `--size` and `--quality`
/// when absent, which is today's 200x300 JPEG) and its `extra_thumbnails`, each a `ThumbnailSpec` item.
extension ThumbnailStage {
    /// The specs of every thumbnail the record needs, in the record's order: the first is `thumbnail_key`'s.
    func specs(of record: ImageRecord) throws(Failure) -> [ThumbnailSpec] {
        var specs = [thumbnailer.spec]
        if let item = record.thumbnailSpec { specs[0] = try Self.parse(item, field: "thumbnail_spec") }
        for extra in record.extraThumbnails ?? [] {
            guard !extra.key.isEmpty else { throw .record("an item of extra_thumbnails has an empty \"key\"") }
            specs.append(try Self.parse(extra.spec, field: "extra_thumbnails"))
        }
        return specs
    }

    static func parse(_ item: String, field: String) throws(Failure) -> ThumbnailSpec {
        switch ThumbnailSpec.parse(item) {
        case .success(let spec): return spec
        case .failure(let error): throw .record("\(field): \(error)")
        }
    }

    /// Writes the thumbnails after the first, each beside it under its own name and its format's extension,
    /// and records their paths and sizes. One that cannot be written takes the files written before it along.
    func writeExtras(_ made: [Data], specs: [ThumbnailSpec], of record: inout ImageRecord) throws(Failure) {
        guard var extras = record.extraThumbnails else { return }
        var written: [String] = []
        for index in extras.indices {
            let file = directory + "/" + Self.fileName(key: extras[index].key, path: record.path, format: specs[index].format)
            do {
                try Self.writeAtomically(made[index], to: file)
            } catch {
                written.forEach { unlink($0) }
                throw .file(error)
            }
            written.append(file)
            extras[index].path = file
            extras[index].size = Int64(made[index].count)
        }
        record.extraThumbnails = extras
    }
}
