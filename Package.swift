// swift-tools-version:6.0
import PackageDescription

// Layers, bottom up: math and colouring (pure) -> config -> rendering and PNG -> caches -> HTTP -> server app -> CLI.
let package = Package(
    name: "fractile",
    products: [
        .executable(name: "fractile", targets: ["fractile"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev", "zlib1g-dev"])]
        ),
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "FractileMath"),
        .target(name: "FractileConfig", dependencies: ["FractileMath"]),
        .target(name: "FractileRender", dependencies: ["FractileMath", "FractileConfig", "CLibPNG"]),
        .target(name: "FractileCache"),
        // epoll, eventfd, accept4 and per-thread nice, which the Glibc module does not import.
        .target(name: "CSystemLinux"),
        .target(name: "FractileHTTP", dependencies: ["CSystemLinux"]),
        // The raw-socket test client every live-server test target shares (as HummingbirdTesting is for Hummingbird).
        .target(name: "FractileHTTPTesting", dependencies: ["FractileHTTP"]),
        .target(name: "FractileArchive", dependencies: ["FractileMath", "CSQLite", "CZlib"]),
        .target(name: "FractileVideo", dependencies: ["FractileMath", "FractileConfig", "FractileRender", "FractileCache"]),
        .target(
            name: "FractileServer",
            dependencies: [
                "FractileMath", "FractileConfig", "FractileRender", "FractileCache", "FractileHTTP", "CSystemLinux",
                "FractileArchive", "FractileVideo",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "fractile",
            dependencies: [
                "FractileMath", "FractileConfig", "FractileRender", "FractileCache", "FractileServer", "FractileArchive",
                "FractileVideo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FractileMathTests", dependencies: ["FractileMath"]),
        .testTarget(name: "FractileConfigTests", dependencies: ["FractileConfig"]),
        .testTarget(name: "FractileRenderTests", dependencies: ["FractileRender", "FractileConfig"]),
        .testTarget(name: "FractileCacheTests", dependencies: ["FractileCache"]),
        .testTarget(name: "FractileHTTPTests", dependencies: ["FractileHTTP", "FractileHTTPTesting"]),
        .testTarget(name: "FractileArchiveTests", dependencies: ["FractileArchive"]),
        .testTarget(name: "FractileServerTests", dependencies: ["FractileServer", "FractileHTTP", "FractileHTTPTesting"]),
    ]
)
