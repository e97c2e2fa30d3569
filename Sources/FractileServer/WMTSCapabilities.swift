import FractileConfig
import FractileRender

/// The OGC WMTS 1.0.0 capabilities document (OGC 07-057r7), RESTful encoding: one layer per map and one
/// TileMatrixSet per map whose matrices are exactly the XYZ tiles (MAPS.md "Tile coordinates"), fetched from the
/// ordinary `/tiles/...` URLs. The CRS says what the axes are: an engineering CRS on the complex plane (x = real part,
/// y = imaginary part), or on the log10 learning rates of a trainability map, never Web Mercator. Its unit is
/// declared as the metre only because WMTS scale denominators are defined through a metre (0.28 mm pixels): one
/// unit is one unit of the plane.
struct WMTSCapabilities {
    /// The standardised rendering pixel size (OGC 07-057r7 §6.1): scale denominator = pixel size / 0.00028.
    static let standardizedPixelSize = 0.00028
    /// Deepest matrix listed: GDAL builds one raster of the deepest matrix, and 256 * 2^22 pixels is the widest
    /// that fits its 32-bit raster size. Clients zoom in past it by enlarging; the tiles themselves go deeper.
    static let deepestMatrix = 22

    let maps: [MapDefinition]

    func document(baseURL: String) -> String {
        var xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" \
            xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
            xsi:schemaLocation="http://www.opengis.net/wmts/1.0 http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd" \
            version="1.0.0">
              <ows:ServiceIdentification>
                <ows:Title>fractile</ows:Title>
                <ows:Abstract>Zoomable fractal maps of neural-network math. Coordinates are the complex plane (or log10 learning rates), not places on Earth.</ows:Abstract>
                <ows:ServiceType>OGC WMTS</ows:ServiceType>
                <ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion>
              </ows:ServiceIdentification>
              <ows:OperationsMetadata>
            \(operation("GetCapabilities", "\(baseURL)/wmts/1.0.0/WMTSCapabilities.xml"))
            \(operation("GetTile", "\(baseURL)/tiles/"))
              </ows:OperationsMetadata>
              <Contents>

            """
        for map in maps { xml += layer(map, baseURL: baseURL) }
        for map in maps { xml += matrixSet(map) }
        xml += """
              </Contents>
              <ServiceMetadataURL xlink:href="\(Self.escaped(baseURL))/wmts/1.0.0/WMTSCapabilities.xml"/>
            </Capabilities>

            """
        return xml
    }

    private func operation(_ name: String, _ href: String) -> String {
        """
            <ows:Operation name="\(name)">
              <ows:DCP><ows:HTTP><ows:Get xlink:href="\(Self.escaped(href))">
                <ows:Constraint name="GetEncoding"><ows:AllowedValues><ows:Value>RESTful</ows:Value></ows:AllowedValues></ows:Constraint>
              </ows:Get></ows:HTTP></ows:DCP>
            </ows:Operation>
        """
    }

    private func layer(_ map: MapDefinition, baseURL: String) -> String {
        let template = "\(baseURL)/tiles/\(map.name)/{TileMatrix}/{TileCol}/{TileRow}.png"
        let (left, top, right, bottom) = frame(map)
        return """
                <Layer>
                  <ows:Title>\(Self.escaped(map.title))</ows:Title>
                  <ows:Abstract>\(Self.escaped(map.description))</ows:Abstract>
                  <ows:BoundingBox crs="\(Self.escaped(crs(map)))">
                    <ows:LowerCorner>\(left) \(bottom)</ows:LowerCorner>
                    <ows:UpperCorner>\(right) \(top)</ows:UpperCorner>
                  </ows:BoundingBox>
                  <ows:Identifier>\(Self.escaped(map.name))</ows:Identifier>
                  <Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style>
                  <Format>image/png</Format>
                  <TileMatrixSetLink><TileMatrixSet>\(Self.escaped(map.name))</TileMatrixSet></TileMatrixSetLink>
                  <ResourceURL format="image/png" resourceType="tile" template="\(Self.escaped(template))"/>
                </Layer>

            """
    }

    private func matrixSet(_ map: MapDefinition) -> String {
        let (left, top, _, _) = frame(map)
        var xml = """
                <TileMatrixSet>
                  <ows:Identifier>\(Self.escaped(map.name))</ows:Identifier>
                  <ows:SupportedCRS>\(Self.escaped(crs(map)))</ows:SupportedCRS>

            """
        for z in 0...min(map.maxZoom, Self.deepestMatrix) {
            let pixelSize = map.span / Double(TileCoordinate.baseSize << z)
            xml += """
                      <TileMatrix>
                        <ows:Identifier>\(z)</ows:Identifier>
                        <ScaleDenominator>\(pixelSize / Self.standardizedPixelSize)</ScaleDenominator>
                        <TopLeftCorner>\(left) \(top)</TopLeftCorner>
                        <TileWidth>\(TileCoordinate.baseSize)</TileWidth>
                        <TileHeight>\(TileCoordinate.baseSize)</TileHeight>
                        <MatrixWidth>\(1 << z)</MatrixWidth>
                        <MatrixHeight>\(1 << z)</MatrixHeight>
                      </TileMatrix>

                """
        }
        return xml + "    </TileMatrixSet>\n"
    }

    /// Left, top, right, bottom of tile 0/0/0.
    private func frame(_ map: MapDefinition) -> (Double, Double, Double, Double) {
        let half = map.span / 2
        return (map.center.re - half, map.center.im + half, map.center.re + half, map.center.im - half)
    }

    /// An OGC WKT 2 engineering CRS: x east, y north, as the tiles lay them out.
    func crs(_ map: MapDefinition) -> String {
        // Compared by name so that kinds added later get the complex plane unless they say otherwise.
        let (name, x, y) = map.kind.rawValue == "trainability"
            ? ("log10 learning rates", "log10 eta_1 (input layer)", "log10 eta_2 (output layer)")
            : ("complex plane", "real part", "imaginary part")
        return "ENGCRS[\"\(name) of \(map.name)\",EDATUM[\"fractile \(map.name)\"],CS[Cartesian,2],"
            + "AXIS[\"\(x) (x)\",east,ORDER[1],LENGTHUNIT[\"metre\",1]],"
            + "AXIS[\"\(y) (y)\",north,ORDER[2],LENGTHUNIT[\"metre\",1]]]"
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
