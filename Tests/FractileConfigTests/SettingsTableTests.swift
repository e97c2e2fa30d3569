import FractileMath
import XCTest

@testable import FractileConfig

/// One table per kind drives config reading, URL parameters, the settings hash and the viewer: these tests fail when
/// a kind stores a setting its table does not list, or lists one the hash does not see.
final class SettingsTableTests: XCTestCase {
    private func map(_ settings: MapSettings) -> MapDefinition {
        MapDefinition(name: "m", center: Complex(0.25, -0.5), span: 6, settings: settings)
    }

    /// Every stored property of every kind's settings is some table row (`weight` -> `weight.scale`,
    /// `dataX` -> `data.x`): adding a property without a row fails here.
    func testEveryStoredSettingHasATableRow() throws {
        for type in MapKindRegistry.kinds {
            let settings = try XCTUnwrap(MapSettings(defaultsFor: type.kind))
            let keys = settings.descriptors.map { $0.key.replacingOccurrences(of: ".", with: "").lowercased() }
            for child in Mirror(reflecting: settings.base).children {
                let label = try XCTUnwrap(child.label).lowercased()
                XCTAssertTrue(keys.contains { $0.hasPrefix(label) }, "\(type.kind).\(label) is not in the settings table")
            }
        }
    }

    /// Every row changes the settings hash when its value changes, for every kind.
    func testEveryTableRowIsInTheSettingsHash() throws {
        for type in MapKindRegistry.kinds {
            let base = map(try XCTUnwrap(MapSettings(defaultsFor: type.kind)))
            for row in base.settings.descriptors {
                var changed = base
                let value = try XCTUnwrap(base.settings.value(forKey: row.key))
                XCTAssertTrue(changed.settings.setValue(Self.different(from: value, row: row), forKey: row.key))
                XCTAssertNotEqual(changed.settingsHash, base.settingsHash, "\(type.kind) \(row.key)")
                XCTAssertNotEqual(changed.settings, base.settings, "\(type.kind) \(row.key)")
            }
        }
    }

    func testKeysAreUniqueAndDefaultsAreWithinBounds() throws {
        for type in MapKindRegistry.kinds {
            let settings = try XCTUnwrap(MapSettings(defaultsFor: type.kind))
            let keys = settings.descriptors.map(\.key)
            XCTAssertEqual(Set(keys).count, keys.count, "\(type.kind)")
            for row in settings.descriptors {
                let value = try XCTUnwrap(settings.value(forKey: row.key))
                XCTAssertNil(row.violation(by: value, within: row.valid), "\(type.kind) \(row.key)")
                XCTAssertNil(row.violation(by: value, within: row.live), "\(type.kind) \(row.key) default not live")
            }
        }
    }

    /// A value of the same type that differs from `value`.
    static func different(from value: SettingValue, row: SettingDescriptor) -> SettingValue {
        switch value {
        case .integer(let n): .integer(n + 1)
        case .real(let x): .real(x * 0.5)
        case .complex(let c): .complex(Complex(c.re + 0.125, c.im))
        case .complexList(let list): .complexList(list.map { Complex($0.re + 0.125, $0.im) })
        case .choice(let name): .choice(row.choices.first { $0 != name } ?? name)
        }
    }
}
