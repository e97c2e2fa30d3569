import Foundation
import FractileMath
import XCTest

@testable import FractileConfig

/// The package root, found from this file's path (Tests/FractileConfigTests/ThisFile.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

func parseConfiguration(_ text: String) throws(ConfigurationError) -> FractileConfiguration {
    try FractileConfiguration.parse(Data(text.utf8))
}

final class FractileConfigurationTests: XCTestCase {
    func testShippedConfigurationHasTheFourMapsWithMAPSDefaults() throws {
        let configuration = try FractileConfiguration.load(path: packageRoot.appendingPathComponent("config.json").path)

        XCTAssertEqual(configuration.server.port, 8080)
        XCTAssertEqual(configuration.server, ServerSettings())
        XCTAssertEqual(configuration.render, RenderSettings())
        XCTAssertEqual(configuration.cache.directory, "cache")
        XCTAssertEqual(configuration.cache, CacheSettings())

        XCTAssertEqual(
            configuration.maps.map(\.name),
            ["forward-pass", "gradient-basin", "gradient-basin-wirtinger", "backprop-flow", "backprop-flow-regimes",
             "trainability"]
        )
        var wirtinger = GradientBasinSettings()
        wirtinger.gradient = .wirtinger
        XCTAssertEqual(
            configuration.maps.prefix(4).map(\.settings),
            [
                .forwardPass(ForwardPassSettings()),
                .gradientBasin(GradientBasinSettings()),
                .gradientBasin(wirtinger),
                .backpropFlow(BackpropFlowSettings()),
            ])
        // The framing is tuned by eye (README); what must hold is a finite frame and room to zoom.
        for map in configuration.maps {
            XCTAssertTrue(map.span.isFinite && map.span > 0, map.name)
            XCTAssertTrue(map.center.isFinite, map.name)
            XCTAssertGreaterThanOrEqual(map.maxZoom, 20, map.name)
            XCTAssertNotEqual(map.title, map.name, "\(map.name) has a human title")
            XCTAssertTrue(map.description.hasSuffix("."), "\(map.name) has a one-sentence description")
        }
        XCTAssertEqual(Set(configuration.maps.map(\.settingsHash)).count, configuration.maps.count)
        XCTAssertEqual(configuration.map(named: "backprop-flow")?.kind, .backpropFlow)
        XCTAssertNil(configuration.map(named: "mandelbrot"))
    }

    func testDefaultsWhenSectionsAndKeysAreOmitted() throws {
        let configuration = try parseConfiguration(
            """
            {"maps": [
              {"name": "f", "kind": "forward_pass"},
              {"name": "g", "kind": "gradient_basin"},
              {"name": "b", "kind": "backprop_flow"}
            ]}
            """)
        let server = configuration.server
        XCTAssertEqual(server.host, "0.0.0.0")
        XCTAssertEqual(server.port, 8080)
        XCTAssertEqual(server.publicDirectory, "Public")
        XCTAssertEqual(server.leafletDirectory, "/usr/share/javascript/leaflet")
        XCTAssertEqual(server.maxConnections, 1024)
        XCTAssertEqual(server.headerTimeoutSeconds, 10)
        XCTAssertEqual(server.idleTimeoutSeconds, 60)
        XCTAssertEqual(server.maxAgeSeconds, 86400)
        XCTAssertEqual(server.accessLog, true)
        XCTAssertEqual(configuration.render.threads, 0)
        XCTAssertEqual(configuration.render.queueLimit, 256)
        XCTAssertEqual(configuration.cache.directory, "cache")
        XCTAssertEqual(configuration.cache.memoryBytes, 268_435_456)
        XCTAssertEqual(configuration.cache.diskBytes, 4_294_967_296)

        let forward = configuration.maps[0]
        XCTAssertEqual(forward.title, "f")
        XCTAssertEqual(forward.description, MapDefinition.defaultDescription(of: .forwardPass))
        XCTAssertEqual(forward.center, .zero)
        XCTAssertEqual(forward.span, 4)
        XCTAssertEqual(forward.maxZoom, 18)
        XCTAssertEqual(forward.settings, .forwardPass(ForwardPassSettings()))
        XCTAssertEqual(configuration.maps[1].settings, .gradientBasin(GradientBasinSettings()))
        XCTAssertEqual(configuration.maps[1].settings.maxIterations, 256)
        XCTAssertEqual(configuration.maps[2].settings, .backpropFlow(BackpropFlowSettings()))
        XCTAssertEqual(configuration.maps[2].settings.maxIterations, 400)
        XCTAssertEqual(configuration.maps[2].description, MapDefinition.defaultDescription(of: .backpropFlow))
    }

    func testEverySettingIsRead() throws {
        let configuration = try parseConfiguration(
            """
            {
              "server": {"host": "127.0.0.1", "port": 0, "publicDirectory": "www", "leafletDirectory": "leaflet",
                         "maxConnections": 8, "headerTimeoutSeconds": 2.5, "idleTimeoutSeconds": 5,
                         "maxAgeSeconds": 0, "accessLog": false},
              "render": {"threads": 3, "queueLimit": 0},
              "cache": {"directory": "/var/cache/fractile", "memoryBytes": 0, "diskBytes": 1e3},
              "maps": [
                {"kind": "forward_pass", "name": "f-1", "title": "F", "description": "", "center": [-0.5, 0.25],
                 "span": 0.125, "maxZoom": 40, "maxIterations": 100000, "weight": {"offset": [1, -1]},
                 "bias": {"scale": 2}, "z0": [0, 1], "plane": "input", "escapeRadius": 100},
                {"name": "g", "kind": "gradient_basin", "maxIterations": 1, "data": {"y": [[1, 2], 3], "x": [-0, 1e-3]},
                 "learningRate": [0.1, -0.2], "gradient": "wirtinger", "divergeRadius": 1e300},
                {"name": "b", "kind": "backprop_flow", "weight": {"scale": 0, "offset": 2}, "input": {"scale": [0, 1]},
                 "delta0": [0.5, 0.5], "plane": "input", "explodeRadius": 10, "vanishRadius": 0.001,
                 "ringTolerance": 1}
              ]
            }
            """)
        XCTAssertEqual(configuration.server.host, "127.0.0.1")
        XCTAssertEqual(configuration.server.port, 0)
        XCTAssertEqual(configuration.server.publicDirectory, "www")
        XCTAssertEqual(configuration.server.leafletDirectory, "leaflet")
        XCTAssertEqual(configuration.server.maxConnections, 8)
        XCTAssertEqual(configuration.server.headerTimeoutSeconds, 2.5)
        XCTAssertEqual(configuration.server.idleTimeoutSeconds, 5)
        XCTAssertEqual(configuration.server.maxAgeSeconds, 0)
        XCTAssertEqual(configuration.server.accessLog, false)
        XCTAssertEqual(configuration.render.threads, 3)
        XCTAssertEqual(configuration.render.queueLimit, 0)
        XCTAssertEqual(configuration.cache.directory, "/var/cache/fractile")
        XCTAssertEqual(configuration.cache.memoryBytes, 0)
        XCTAssertEqual(configuration.cache.diskBytes, 1000)

        let f = configuration.maps[0]
        XCTAssertEqual(f.title, "F")
        XCTAssertEqual(f.description, "")
        XCTAssertEqual(f.center, Complex(-0.5, 0.25))
        XCTAssertEqual(f.span, 0.125)
        XCTAssertEqual(f.maxZoom, 40)
        var forward = ForwardPassSettings()
        forward.weight = AffineParameter(scale: .one, offset: Complex(1, -1))  // scale keeps its default
        forward.bias = AffineParameter(scale: Complex(2), offset: .zero)  // a plain number r is [r, 0]
        forward.z0 = .i
        forward.plane = .input
        forward.maxIterations = 100_000
        forward.escapeRadius = 100
        XCTAssertEqual(f.settings, .forwardPass(forward))

        var basin = GradientBasinSettings()
        basin.maxIterations = 1
        basin.dataX = [Complex(-0.0), Complex(0.001)]
        basin.dataY = [Complex(1, 2), Complex(3)]
        basin.learningRate = Complex(0.1, -0.2)
        basin.gradient = .wirtinger
        basin.divergeRadius = 1e300
        XCTAssertEqual(configuration.maps[1].settings, .gradientBasin(basin))

        var flow = BackpropFlowSettings()
        flow.weight = AffineParameter(scale: .zero, offset: Complex(2))
        flow.input = AffineParameter(scale: .i, offset: .zero)
        flow.delta0 = Complex(0.5, 0.5)
        flow.plane = .input
        flow.explodeRadius = 10
        flow.vanishRadius = 0.001
        flow.ringTolerance = 1
        XCTAssertEqual(configuration.maps[2].settings, .backpropFlow(flow))
    }

    func testIntegersMayBeWrittenWithAnExponentOrZeroFraction() throws {
        let configuration = try parseConfiguration(
            #"{"server": {"port": 8.08e3, "maxAgeSeconds": 60.0}, "maps": [{"name": "m", "kind": "forward_pass"}]}"#)
        XCTAssertEqual(configuration.server.port, 8080)
        XCTAssertEqual(configuration.server.maxAgeSeconds, 60)
    }

    func testKindMayComeAfterTheKindsOwnKeys() throws {
        let configuration = try parseConfiguration(
            #"{"maps": [{"plane": "input", "name": "m", "kind": "backprop_flow"}]}"#)
        var flow = BackpropFlowSettings()
        flow.plane = .input
        XCTAssertEqual(configuration.maps[0].settings, .backpropFlow(flow))
    }

    func testLoadNamesTheFileInSyntaxErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fractile-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("config.json")
        try Data("{\n  \"maps\": []\n  \"server\": {}\n}\n".utf8).write(to: file)

        XCTAssertThrowsError(try FractileConfiguration.load(path: file.path)) { error in
            XCTAssertEqual(
                error as? ConfigurationError,
                ConfigurationError(path: "", message: "\(file.path):3:3: expected ',' or '}'"))
        }
        XCTAssertThrowsError(try FractileConfiguration.load(path: directory.path)) { error in
            XCTAssertEqual(
                (error as? ConfigurationError)?.description,
                "\(directory.path): is a directory, not a configuration file"
            )
        }
        let missing = directory.appendingPathComponent("missing.json").path
        XCTAssertThrowsError(try FractileConfiguration.load(path: missing)) { error in
            XCTAssertEqual(
                error as? ConfigurationError,
                ConfigurationError(path: "", message: "\(missing): no such configuration file"))
        }
    }

    func testSyntaxErrorsFromParseGiveLineAndColumn() {
        XCTAssertThrowsError(try parseConfiguration("{\n  \"maps\": [1,]\n}")) { error in
            XCTAssertEqual(
                error as? ConfigurationError, ConfigurationError(path: "", message: "2:14: trailing comma before ']'"))
        }
        XCTAssertThrowsError(try FractileConfiguration.parse(Data("{} {}".utf8), sourceName: "config.json")) { error in
            XCTAssertEqual("\(error)", "config.json:1:4: unexpected text after the end of the JSON value")
        }
    }
}
