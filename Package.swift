// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "spaces-image-tools",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "img-scan", targets: ["img-scan"]),
        .executable(name: "spaces-put", targets: ["spaces-put"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Non-variadic wrappers around curl_easy_setopt/curl_easy_getinfo; no logic lives here.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "Common",
            dependencies: [
                "CCurl",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .executableTarget(
            name: "img-scan",
            dependencies: ["Common", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "spaces-put",
            dependencies: ["Common", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CommonTests", dependencies: ["Common", "TestSupport"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Common", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ]
)
