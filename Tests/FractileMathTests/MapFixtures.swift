import FractileMath

/// The four shipped map flavours with default settings, and a grid over each one's interesting region.
enum MapFixtures {
    static var wirtinger: GradientBasinSettings {
        var settings = GradientBasinSettings()
        settings.gradient = .wirtinger
        return settings
    }

    static let maps: [(name: String, settings: MapSettings, center: Complex, span: Double)] = [
        ("forward-pass", .forwardPass(ForwardPassSettings()), Complex(0, -1), 8),
        ("gradient-basin", .gradientBasin(GradientBasinSettings()), Complex(0, 0), 8),
        ("gradient-basin-wirtinger", .gradientBasin(wirtinger), Complex(0, 0), 8),
        ("backprop-flow", .backpropFlow(BackpropFlowSettings()), Complex(0, 0), 6),
    ]

    /// Pixel centres of a size x size grid covering center +- span/2.
    static func grid(center: Complex, span: Double, size: Int) -> [Complex] {
        var points: [Complex] = []
        for j in 0..<size {
            for i in 0..<size {
                points.append(Complex(
                    center.re + span * ((Double(i) + 0.5) / Double(size) - 0.5),
                    center.im - span * ((Double(j) + 0.5) / Double(size) - 0.5)))
            }
        }
        return points
    }
}
