#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What both deep forward_pass lane kernels keep of the pixels in their lanes: each one's `ForwardPassLaneState` as
/// vectors, its dw and db, its place among the call's pixels, and its last z for the period test.
struct ForwardPassLaneStates {
    let steps: Double
    let lyapunovStart: Double
    let historyStart: Int
    let radius: Double, radiusSquared: Double
    /// The scales that turn an offset into dw and db (parameter plane).
    let weightScale: Complex, biasScale: Complex
    let plane: Plane
    /// z_n for n in historyStart..<N, item-major as `ForwardPassLanes.history`: the period test.
    let history: UnsafeMutablePointer<Complex>
    /// The lanes' last 32 z, copied to `history` as they stop.
    var recent: ForwardPassLaneHistory

    var z = LaneComplex(.zero), d = LaneComplex(.zero)
    var dw = LaneComplex(.zero), db = LaneComplex(.zero)
    /// Each lane's row in the lane table, where the orbit it follows ends there, and its pixel's step.
    var m = PixelLanes(), end = PixelLanes(), n = PixelLanes()
    /// Each lane's pixel: its place in `history`.
    var item = LaneIndices()
    /// The scalar loop's `lyapunovSum` (reference logs of linear steps) and `LogProduct` (the other steps).
    var lyapunovSum = PixelLanes(), significand = PixelLanes(repeating: 1), exponent = LaneBits(), direct = PixelLanes()
    /// The Lyapunov term of the step that found a fixed point.
    var fixedTerm = PixelLanes()

    init(settings: ForwardPassSettings, history: UnsafeMutablePointer<Complex>, ring: UnsafeMutablePointer<Double>) {
        let count = max(settings.maxIterations, 0)
        steps = Double(count)
        lyapunovStart = Double(count / 4)
        historyStart = max(count - ForwardPassLanes.historyLength, 0)
        radius = settings.escapeRadius
        radiusSquared = radius * radius
        (weightScale, biasScale, plane) = (settings.weight.scale, settings.bias.scale, settings.plane)
        self.history = history
        recent = ForwardPassLaneHistory(history: history, historyStart: historyStart, ring: ring)
    }

    /// dw, db and the start's delta of pixel C + offset.
    func split(_ offset: Complex) -> (dw: Complex, dSecond: Complex, dState: Complex) {
        plane.split(offset, weightScale: weightScale, secondScale: biasScale)
    }

    /// Pixel C + offset from `state` in lane `lane`.
    mutating func resume(lane: Int, at offset: Complex, from state: ForwardPassLaneState, item: Int) {
        (dw[lane], db[lane], _) = split(offset)
        (z[lane], d[lane]) = (state.z, state.d)
        (m[lane], end[lane], n[lane]) = (state.m, state.end, state.n)
        self.item[lane] = item
        recent.resume(lane: lane, n: state.n)
        (lyapunovSum[lane], significand[lane]) = (state.lyapunovSum, state.significand)
        (exponent[lane], direct[lane]) = (state.exponent, state.direct)
    }

    /// Lane `lane`'s pixel, stopped (`stop`), with its last z in `history`.
    @inline(__always)
    func state(lane: Int, stop: ForwardPassLaneState.Stop) -> ForwardPassLaneState {
        recent.copy(lane: lane, n: n[lane], item: item[lane])
        var state = ForwardPassLaneState()
        (state.z, state.d) = (z[lane], d[lane])
        (state.m, state.end, state.n) = (m[lane], end[lane], n[lane])
        (state.lyapunovSum, state.significand) = (lyapunovSum[lane], significand[lane])
        (state.exponent, state.direct) = (exponent[lane], direct[lane])
        state.stop = stop
        state.fixedTerm = fixedTerm[lane]
        return state
    }

    /// `ForwardPassReference.escapes` per lane.
    @inline(__always)
    func escapes(_ value: LaneComplex) -> LaneMask {
        var escaped = .!value.isFinite .| (value.magnitudeSquared .> radiusSquared)
        if !radiusSquared.isFinite {
            for lane in 0..<PixelLanes.scalarCount where !escaped[lane] {
                escaped[lane] = value[lane].magnitude > radius
            }
        }
        return escaped
    }

    /// `LogProduct.add` of each lane's |slope|^2 where `product` is set: the product and its exponent split, or the
    /// log itself for extreme terms.
    @inline(__always)
    mutating func addLogs(of slopeSquared: PixelLanes, where product: LaneMask) {
        let inRange = (slopeSquared .>= 0x1p-990) .& (slopeSquared - slopeSquared .== 0)
        let extreme = product .& .!inRange
        if extreme.anySet {
            for lane in 0..<PixelLanes.scalarCount where extreme[lane] {
                direct[lane] += log(Swift.max(slopeSquared[lane].squareRoot(), 1e-300))
            }
        }
        let bits = VectorTanh.bits(significand * slopeSquared)
        let split = product .& inRange
        exponent = exponent.replacing(with: exponent &+ ((bits &>> 52) &- 1023), where: split)
        significand = significand.replacing(
            with: VectorTanh.double((bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000), where: split)
    }
}
