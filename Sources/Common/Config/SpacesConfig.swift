import FoundationEssentials

/// Everything needed to talk to a Spaces bucket, resolved from `.env` and the environment.
///
/// The secret key is kept out of `description` so that printing a config never leaks it.
public struct SpacesConfig: Sendable, CustomStringConvertible {
    public var accessKey: String
    public var secretKey: String
    public var bucket: String
    public var region: String
    public var endpoint: Endpoint
    public var acl: String
    public var pathStyle: Bool
    public var cdnEndpoint: String?
    public var caBundle: String?
    public var cacheControl: String?

    public var description: String {
        "bucket=\(bucket) region=\(region) endpoint=\(endpoint) acl=\(acl) path_style=\(pathStyle)"
    }

    public static let requiredVariables = ["SPACES_ACCESS_KEY", "SPACES_SECRET_KEY", "SPACES_BUCKET"]
    public static let defaultACL = "private"
    public static let cannedACLs: Set<String> = [
        "private", "public-read", "public-read-write", "authenticated-read",
        "bucket-owner-read", "bucket-owner-full-control",
    ]

    /// Resolves the configuration from merged variables (see `ConfigLoader`).
    public static func resolve(_ variables: [String: String]) throws(ConfigError) -> SpacesConfig {
        func value(_ name: String) -> String? {
            guard let v = variables[name]?.trimmingWhitespace(), !v.isEmpty else { return nil }
            return v
        }
        var missing = requiredVariables.filter { value($0) == nil }
        if value("SPACES_ENDPOINT") == nil && value("SPACES_REGION") == nil {
            missing.append("SPACES_REGION (or SPACES_ENDPOINT)")
        }
        guard missing.isEmpty else { throw .missingVariables(missing) }

        let bucket = value("SPACES_BUCKET")!
        let endpoint: Endpoint
        if let raw = value("SPACES_ENDPOINT") {
            guard let parsed = Endpoint(parsing: raw) else { throw .invalidValue("SPACES_ENDPOINT", raw, "expected http(s)://host[:port]") }
            endpoint = try regionEndpoint(parsed, raw: raw, bucket: bucket)
        } else {
            let region = value("SPACES_REGION")!
            guard let parsed = Endpoint(parsing: "https://\(region).digitaloceanspaces.com") else {
                throw .invalidValue("SPACES_REGION", region, "not a region name such as nyc3")
            }
            endpoint = parsed
        }
        let region = value("SPACES_REGION") ?? endpoint.spacesRegion ?? "us-east-1"
        let acl = value("SPACES_ACL") ?? defaultACL
        guard cannedACLs.contains(acl) else {
            throw .invalidValue("SPACES_ACL", acl, "expected one of \(cannedACLs.sorted().joined(separator: ", "))")
        }
        let pathStyleRaw = value("SPACES_PATH_STYLE")?.lowercased() ?? "false"
        guard ["true", "false", "1", "0", "yes", "no"].contains(pathStyleRaw) else {
            throw .invalidValue("SPACES_PATH_STYLE", pathStyleRaw, "expected true or false")
        }
        let caBundle = value("SPACES_CA_BUNDLE")
        if let caBundle { try checkCABundle(caBundle) }
        return SpacesConfig(
            accessKey: value("SPACES_ACCESS_KEY")!,
            secretKey: value("SPACES_SECRET_KEY")!,
            bucket: bucket,
            region: region,
            endpoint: endpoint,
            acl: acl,
            pathStyle: ["true", "1", "yes"].contains(pathStyleRaw),
            cdnEndpoint: value("SPACES_CDN_ENDPOINT").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 },
            caBundle: caBundle,
            cacheControl: value("SPACES_CACHE_CONTROL")
        )
    }
}

extension SpacesConfig {
    /// The control panel shows a Space's own URL (`https://BUCKET.nyc3.digitaloceanspaces.com`) and its CDN URL
    /// next to the region endpoint; taken as SPACES_ENDPOINT, either would put the bucket name in the host twice.
    /// The bucket's own URL is reduced to its region endpoint; a CDN URL or another bucket's URL is refused.
    static func regionEndpoint(_ endpoint: Endpoint, raw: String, bucket: String) throws(ConfigError) -> Endpoint {
        guard let spaces = endpoint.spacesHost, spaces.bucket != nil || spaces.cdn else { return endpoint }
        var regional = endpoint
        regional.host = "\(spaces.region).\(Endpoint.spacesDomain)"
        if spaces.cdn {
            throw .invalidValue("SPACES_ENDPOINT", raw, "a CDN endpoint takes no uploads: use \(regional) (and this one as SPACES_CDN_ENDPOINT)")
        }
        guard spaces.bucket == bucket else {
            throw .invalidValue("SPACES_ENDPOINT", raw, "that is the URL of bucket \(spaces.bucket!), not of SPACES_BUCKET=\(bucket): use \(regional)")
        }
        return regional
    }

    /// Refuses a CA bundle that curl could not load, before any request: the error names the variable.
    static func checkCABundle(_ path: String) throws(ConfigError) {
        guard let contents = FileManager.default.contents(atPath: path) else {
            let why = FileManager.default.fileExists(atPath: path) ? "cannot read it" : "no such file"
            throw .invalidValue("SPACES_CA_BUNDLE", path, why)
        }
        guard String(decoding: contents, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
            throw .invalidValue("SPACES_CA_BUNDLE", path, "not a PEM file of CA certificates")
        }
    }
}

/// An S3 endpoint: scheme, host and optional port, with no path.
public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?

    public init?(parsing raw: String) {
        guard let components = URLComponents(string: raw),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty,
              components.path.isEmpty || components.path == "/",
              components.query == nil, components.user == nil
        else { return nil }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = components.port
    }

    public var description: String { "\(scheme)://\(hostWithPort(host))" }

    /// `host[:port]`, leaving out the scheme's default port, as curl sends it in `Host:`.
    public func hostWithPort(_ name: String) -> String {
        guard let port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) else { return name }
        return "\(name):\(port)"
    }

    static let spacesDomain = "digitaloceanspaces.com"

    /// `nyc3` for `nyc3.digitaloceanspaces.com`; nil for any other host, bucket and CDN hosts included.
    public var spacesRegion: String? {
        guard let spaces = spacesHost, spaces.bucket == nil, !spaces.cdn else { return nil }
        return spaces.region
    }

    /// The parts of a Spaces host name: `REGION`, `BUCKET.REGION` or `BUCKET.REGION.cdn`, then `.digitaloceanspaces.com`.
    var spacesHost: (bucket: String?, region: String, cdn: Bool)? {
        guard host.hasSuffix("." + Self.spacesDomain) else { return nil }
        var labels = host.dropLast(Self.spacesDomain.count + 1).split(separator: ".", omittingEmptySubsequences: false)
        let cdn = labels.count >= 2 && labels.last == "cdn"
        if cdn { labels.removeLast() }
        guard let region = labels.popLast(), !region.isEmpty, labels.allSatisfy({ !$0.isEmpty }) else { return nil }
        return (labels.isEmpty ? nil : labels.joined(separator: "."), String(region), cdn)
    }
}

public enum ConfigError: Error, CustomStringConvertible, Equatable {
    case missingVariables([String])
    /// Variables missing, and no `.env` where one was looked for (the folder): the likelier mistake.
    case missingVariablesNoEnvFile([String], folder: String)
    case invalidValue(String, String, String)
    case envFileNotFound(String)
    case envFileUnreadable(String, String)

    public var description: String {
        switch self {
        case .missingVariables(let names):
            return "Missing required environment variables: \(names.joined(separator: ", "))"
        case .missingVariablesNoEnvFile(let names, let folder):
            return "Missing required environment variables: \(names.joined(separator: ", ")) (there is no .env in \(folder); --env-file FILE reads another file)"
        case .invalidValue(let name, let value, let why):
            return "\(name)=\(value) is not valid: \(why)"
        case .envFileNotFound(let path):
            return "env file not found: \(path)"
        case .envFileUnreadable(let path, let why):
            return "\(path): cannot read env file: \(why)"
        }
    }
}
