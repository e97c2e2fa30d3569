import ArgumentParser
import FractileConfig

/// `--param KEY=VALUE`, repeatable, shared by the commands that render a map: the map's live parameters exactly as
/// a URL gives them (docs/maps.md "Live parameters in URLs"), so a CLI tile is the server's tile with that query.
struct LiveParameterOptions: ParsableArguments {
    @Option(name: .customLong("param"),
            help: "A live parameter as in URLs, KEY=VALUE (repeatable), e.g. --param learningRate=0.3,0.1.")
    var parameters: [String] = []

    /// `map` with the parameters applied; a bad one is one line naming its key.
    func apply(to map: MapDefinition) throws -> MapDefinition {
        var pairs: [(key: String, value: String)] = []
        for text in parameters {
            guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                throw CommandFailure("--param \(text): expected KEY=VALUE, e.g. learningRate=0.3")
            }
            pairs.append((String(text[..<equals]), String(text[text.index(after: equals)...])))
        }
        do {
            return try map.applying(parameters: pairs)
        } catch {
            throw CommandFailure("--param \(error)")
        }
    }
}
