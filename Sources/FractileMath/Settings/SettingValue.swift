/// The value of one map setting, whatever its type (see `SettingType`).
public enum SettingValue: Sendable, Hashable {
    case integer(Int)
    case real(Double)
    case complex(Complex)
    case complexList([Complex])
    case choice(String)

    /// The numbers whose magnitude bounds apply: each part of a complex value, each part of each list element.
    var boundedParts: [Double] {
        switch self {
        case .integer(let n): [Double(n)]
        case .real(let x): [x]
        case .complex(let c): [c.re, c.im]
        case .complexList(let list): list.flatMap { [$0.re, $0.im] }
        case .choice: []
        }
    }
}

/// How a setting is written in config.json, URLs and the viewer's controls.
public enum SettingType: String, Sendable, Hashable {
    /// A whole number.
    case integer
    /// A finite real number.
    case real
    /// `[re, im]` or a plain number in JSON; `re,im` or a plain number in URLs.
    case complex
    /// A JSON array of complex numbers; `v1;v2;...` in URLs.
    case complexList
    /// One of a few names.
    case choice
}
