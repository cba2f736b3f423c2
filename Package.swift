// swift-tools-version:6.0
import PackageDescription

// Linux only: the sources use Glibc and `st_mtim` (Debian's libcurl and libvips through pkg-config), and no
// other platform has been built or tested, so none is declared.

let package = Package(
    name: "spaces-image-tools",
    products: [
        .executable(name: "img-scan", targets: ["img-scan"]),
        .executable(name: "spaces-put", targets: ["spaces-put"]),
        .executable(name: "img-thumb", targets: ["img-thumb"]),
        .executable(name: "spaces-exists", targets: ["spaces-exists"]),
        .executable(name: "spaces-ls", targets: ["spaces-ls"]),
        .executable(name: "spaces-get", targets: ["spaces-get"]),
        .executable(name: "upload-review", targets: ["upload-review"]),
        .executable(name: "upload-run", targets: ["upload-run"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.0.0"),
    ],
    targets: [
        // Non-variadic wrappers around curl_easy_setopt/curl_easy_getinfo; no logic lives here.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Fills in the variadic tails of the libvips calls that img-thumb uses; no logic lives here.
        .systemLibrary(
            name: "CJpeg",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"])]
        ),
        .systemLibrary(
            name: "CVips",
            pkgConfig: "vips",
            providers: [.apt(["libvips-dev"])]
        ),
        // Only img-thumb links libvips: loading it costs ~70 ms and ~130 shared libraries per process.
        .target(
            name: "Imaging",
            dependencies: ["CJpeg", "CVips", "Common", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The library: no command-line parsing, no printing of its own, no exit.
        .target(
            name: "Common",
            dependencies: ["CCurl", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The command-line layer shared by the commands: what each does around its work (CommandRun).
        .target(
            name: "ToolkitCLI",
            dependencies: ["Common", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "img-scan",
            dependencies: ["Common", "ToolkitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "spaces-put",
            dependencies: ["Common", "ToolkitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "spaces-exists",
            dependencies: ["Common", "ToolkitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "spaces-ls",
            dependencies: ["Common", "ToolkitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "spaces-get",
            dependencies: ["Common", "ToolkitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "img-thumb",
            dependencies: ["Imaging", "Common", "ToolkitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "upload-review",
            dependencies: ["Common", "ToolkitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The steps of the upload-images script, between the commands it runs.
        .executableTarget(
            name: "upload-run",
            dependencies: ["Common", "ToolkitCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CommonTests", dependencies: ["Common", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "CVips", "Common", "TestSupport"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Common", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
    ]
)
