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
        .target(name: "FractileHTTP"),
        .target(name: "FractileArchive", dependencies: ["FractileMath", "CSQLite", "CZlib"]),
        .target(name: "FractileVideo", dependencies: ["FractileMath", "FractileConfig", "FractileRender", "FractileCache"]),
        .target(
            name: "FractileServer",
            dependencies: ["FractileMath", "FractileConfig", "FractileRender", "FractileCache", "FractileHTTP",
                           "FractileArchive", "FractileVideo"]
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
        .testTarget(name: "FractileHTTPTests", dependencies: ["FractileHTTP"]),
        .testTarget(name: "FractileArchiveTests", dependencies: ["FractileArchive"]),
        .testTarget(name: "FractileServerTests", dependencies: ["FractileServer", "FractileHTTP"]),
    ]
)
