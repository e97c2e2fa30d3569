/// Everything that makes one kind of map, implemented by the kind's settings type in its folder under Kinds/:
/// its settings table, the exact scalar rule (which the probe reports), the lane kernel (which tiles use), the deep
/// reference where it has one, colouring and legend, and the probe's own fields. `MapKindRegistry` lists the kinds.
public protocol KindSettings: Sendable, Hashable {
    /// The kind's name in config.json and the probe JSON.
    static var kind: MapKind { get }
    /// One sentence on what the kind shows: a map's default description.
    static var summary: String { get }
    /// Every setting once, in the order documents list them. Config reading, URL parameters, the settings hash,
    /// TileJSON and the viewer's controls all read this table, so a setting added here is everywhere at once;
    /// `SettingsTableTests` fails if a stored property is missing from it.
    static var table: [SettingSpec<Self>] { get }
    /// The regimes a map of this kind can report, in legend order, each with what it means for the network.
    static var legendMeanings: [(regime: Regime, meaning: String)] { get }
    /// Whether deep tiles and long-decimal probes compute by perturbation (`perturbationRun`); without it a map
    /// stays in double arithmetic at every depth.
    static var hasPerturbation: Bool { get }

    /// The kind's defaults (docs/maps.md).
    init()

    /// The iteration (or training-step) budget N.
    var maxIterations: Int { get set }

    /// The fate of pixel p by the exact scalar rule: no heap allocation.
    func outcome(at p: Complex) -> PixelOutcome
    /// Everything about pixel p, orbit included, from the same loop as `outcome(at:)`.
    func probe(at p: Complex) -> ProbeResult
    /// The outcomes of many pixels through the lane kernel; regimes agree with `outcome(at:)` outside the margins
    /// `FastKernelAgreementTests` states. Called with at least one iteration of budget.
    func fastOutcomes(_ points: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>)
    /// The colour of a pixel with this outcome: a function of the outcome alone, so tiles meet seamlessly.
    func color(of outcome: PixelOutcome) -> RGB
    /// An outcome typical of `regime`, whose colour the legend shows.
    func representativeOutcome(of regime: Regime) -> PixelOutcome
    /// The reference orbit at a wide point, for kinds with `hasPerturbation`. `pixel` is the pixel width of the
    /// 256-pixel tile centred there that the reference serves (nil for a probe): a kind may end the orbit where every
    /// pixel of such a tile has left it.
    func perturbationRun(at point: WideComplex, pixel: Double?) -> any PerturbationRun
    /// A rule between settings that the table's per-setting bounds cannot say: the key to blame and why.
    func validationFailure() -> (key: String, message: String)?
    /// The probe JSON's fields of this kind (docs/maps.md "Probe JSON"), after `iterations` and before `orbit`.
    static func writeProbeFields(of result: ProbeResult, re: Double, im: Double, to json: inout JSONWriter)
}

extension KindSettings {
    public static var hasPerturbation: Bool { false }

    public func perturbationRun(at point: WideComplex, pixel: Double?) -> any PerturbationRun {
        preconditionFailure("\(Self.kind) has no perturbation arithmetic")
    }

    public func validationFailure() -> (key: String, message: String)? { nil }

    /// The scalar rule pixel by pixel: for kinds whose kernel has no lanes.
    public func fastOutcomes(_ points: UnsafeBufferPointer<Complex>, into outcomes: UnsafeMutableBufferPointer<PixelOutcome>) {
        for (index, p) in points.enumerated() { outcomes[index] = outcome(at: p) }
    }

    /// Writes the colours of `outcomes` as RGB bytes from `output` on; specialised per kind, so the hot loop makes
    /// no dynamic calls.
    func writeColors(of outcomes: UnsafeMutableBufferPointer<PixelOutcome>, to output: UnsafeMutablePointer<UInt8>) {
        var offset = 0
        for outcome in outcomes {
            let color = color(of: outcome)
            output[offset] = color.r
            output[offset + 1] = color.g
            output[offset + 2] = color.b
            offset += 3
        }
    }

    /// `maxIterations` halfway on the log-speed scale: the iteration count legends shade with.
    var midwayIterations: Int { Int(Double(Swift.max(maxIterations, 1)).squareRoot().rounded()) }
}
