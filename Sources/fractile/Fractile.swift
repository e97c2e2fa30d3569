import ArgumentParser

@main
struct Fractile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fractile",
        abstract: "Zoomable fractal maps of neural-network math, as an HTTP tile server.",
        subcommands: [
            Serve.self, Render.self, Probe.self, Dimension.self, Seed.self, Archive.self, Video.self, CheckConfig.self,
            Healthcheck.self,
        ]
    )
}
