/// Builds request URLs for a bucket: virtual-hosted (`BUCKET.nyc3.digitaloceanspaces.com/KEY`) for
/// Spaces region endpoints (with any port) and buckets whose name is one DNS label, path-style
/// (`ENDPOINT/BUCKET/KEY`) for everything else.
/// https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
public struct S3Addressing: Sendable {
    public let endpoint: Endpoint
    public let bucket: String
    public let virtualHosted: Bool
    public let cdnEndpoint: String?

    /// The `Host` value, `scheme://host`, and the path of the bucket before `/KEY` (empty when virtual-hosted): the
    /// same for every key, worked out once (a resume writes two URLs per image).
    private let host: String
    private let origin: String
    private let bucketPath: String

    public init(config: SpacesConfig) {
        endpoint = config.endpoint
        bucket = config.bucket
        cdnEndpoint = config.cdnEndpoint
        // A dotted bucket name would not be covered by the endpoint's wildcard certificate (*.nyc3...).
        virtualHosted = !config.pathStyle && config.endpoint.spacesRegion != nil && Self.isHostLabel(config.bucket)
        host = virtualHosted ? endpoint.hostWithPort("\(bucket).\(endpoint.host)") : endpoint.hostWithPort(endpoint.host)
        origin = "\(endpoint.scheme)://\(host)"
        bucketPath = virtualHosted ? "" : "/" + URIEncoding.encode(bucket, keepSlash: false)
    }

    /// Whether `bucket` can stand as one label of a host name: lowercase letters, digits and inner hyphens.
    static func isHostLabel(_ bucket: String) -> Bool {
        !bucket.isEmpty && bucket.count <= 63 && !bucket.hasPrefix("-") && !bucket.hasSuffix("-")
            && bucket.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    public struct Target: Sendable {
        public var url: String
        public var host: String
        public var encodedPath: String
    }

    /// The URL, `Host` value and canonical path for an object (or the bucket when `key` is nil).
    public func target(key: String?, query: [(String, String)] = []) -> Target {
        let path = key.map { String(decoding: objectPath($0), as: UTF8.self) } ?? (virtualHosted ? "/" : bucketPath)
        let queryString = SigV4Signer.canonicalQuery(query)
        let url = origin + path + (queryString.isEmpty ? "" : "?\(queryString)")
        return Target(url: url, host: host, encodedPath: path)
    }

    /// Where anyone can fetch `key` (if its ACL allows): the CDN endpoint when set, else the object's own URL,
    /// `https://BUCKET.nyc3.digitaloceanspaces.com/KEY` for Spaces. An endpoint's non-default port stays in the URL,
    /// since the object is only reachable there; Spaces itself uses the default port, so its URLs carry none.
    public func publicURL(forKey key: String) -> String {
        if let cdnEndpoint { return "\(cdnEndpoint)/\(URIEncoding.encode(key, keepSlash: true))" }
        return String(decoding: Array(origin.utf8) + objectPath(key), as: UTF8.self)
    }

    /// The object's path on the endpoint, encoded: `/BUCKET/KEY` (path-style) or `/KEY`.
    private func objectPath(_ key: String) -> [UInt8] {
        var path = Array(bucketPath.utf8) + [UInt8(ascii: "/")]
        URIEncoding.appendEncoded(key, keepSlash: true, to: &path)
        return path
    }
}
